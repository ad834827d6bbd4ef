//! What a map needs at a given zoom: clusters of nearby actors at low zooms, single actors
//! once there is room to show them, and the addressing of Web Mercator tiles.
//!
//! Clusters are the cells of one grid anchored to the world (Web Mercator, origin at the
//! top-left corner of the world square), so a cell — and its id — is the same whatever
//! viewport asks for it: panning never reshuffles the clusters.

use std::f64::consts::PI;
use std::fmt;

use crate::actor::{ActorId, ActorKind};
use crate::category::CategoryId;
use crate::query::BoundingBox;
use crate::validation::FieldError;

/// The deepest zoom a client may ask for (OpenStreetMap-style maps stop at 19–22).
pub const MAX_ZOOM: u8 = 22;
/// From this zoom on every actor is shown on its own, even when several share a spot.
pub const UNCLUSTERED_FROM_ZOOM: u8 = 16;
/// Cells per tile side: 8 cells of 32 px on a 256 px tile, about a marker's width.
pub const CLUSTER_CELLS_PER_TILE_SIDE: u32 = 8;
/// Side of the Web Mercator world square, in metres (EPSG:3857).
pub const WEB_MERCATOR_WORLD_SIZE_M: f64 = 40_075_016.685_578_49;
/// The deepest zoom whose cluster cells the store keeps up to date as actors change (the
/// migration's `map_cells_max_zoom()`). Below it a whole-Europe view groups stored cells; from
/// it on, a view is small enough to group its actors when asked.
pub const STORED_CELLS_MAX_ZOOM: u8 = 12;
/// The deepest zoom whose cells the store also keeps per kind, country, category and language
/// (the migration's `map_cells_facet_max_zoom()`): a single-filter view of all of Europe reads
/// them; deeper views cover little enough ground to group their matching actors when asked.
pub const STORED_FACET_CELLS_MAX_ZOOM: u8 = 6;
/// Web Mercator stops at this latitude; actors beyond it sit in the first or last row.
const WEB_MERCATOR_MAX_LAT: f64 = 85.051_128_779_8;
/// Far more than the floating-point error of placing a point in a cell (about 1e-13°), far
/// less than any real distance between actors: keeps `CellBlock`s on the safe side of a bbox.
const CELL_EDGE_MARGIN_DEG: f64 = 1e-9;

/// A zoom level of a Web Mercator map, 0 (the whole world in one tile) to `MAX_ZOOM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zoom(u8);

impl Zoom {
    pub fn new(level: u8) -> Option<Zoom> {
        (level <= MAX_ZOOM).then_some(Zoom(level))
    }

    pub fn parse(field: &str, input: &str) -> Result<Zoom, FieldError> {
        input
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(Zoom::new)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "invalid_zoom",
                    format!("zoom must be a whole number from 0 to {MAX_ZOOM}"),
                )
            })
    }

    pub fn level(self) -> u8 {
        self.0
    }

    /// Whether actors are grouped into clusters at this zoom.
    pub fn is_clustered(self) -> bool {
        self.0 < UNCLUSTERED_FROM_ZOOM
    }

    /// Side of a cluster cell in Web Mercator metres.
    pub fn cluster_cell_size_m(self) -> f64 {
        WEB_MERCATOR_WORLD_SIZE_M
            / f64::from(CLUSTER_CELLS_PER_TILE_SIDE)
            / f64::from(1u32 << self.0)
    }

    /// Whether the store keeps this zoom's cluster cells ready (see `STORED_CELLS_MAX_ZOOM`).
    pub fn has_stored_cells(self) -> bool {
        self.0 <= STORED_CELLS_MAX_ZOOM
    }

    /// Whether the store keeps this zoom's cells per kind, country, category and language
    /// too (see `STORED_FACET_CELLS_MAX_ZOOM`).
    pub fn has_stored_facet_cells(self) -> bool {
        self.0 <= STORED_FACET_CELLS_MAX_ZOOM
    }

    /// Cells per side of the world at this zoom.
    pub fn cells_per_side(self) -> i64 {
        i64::from(CLUSTER_CELLS_PER_TILE_SIDE) << self.0
    }

    /// Column of the cell holding a longitude. Agrees with the store's `map_cell_x` except
    /// within floating-point error of a cell edge.
    fn cell_column(self, lon: f64) -> i64 {
        ((lon + 180.0) / 360.0 * self.cells_per_side() as f64).floor() as i64
    }

    /// Row of the cell holding a latitude (clamped to Web Mercator), as the store's `map_cell_y`.
    fn cell_row(self, lat: f64) -> i64 {
        let lat = lat
            .clamp(-WEB_MERCATOR_MAX_LAT, WEB_MERCATOR_MAX_LAT)
            .to_radians();
        let from_north = (1.0 - (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() / PI) / 2.0;
        (from_north * self.cells_per_side() as f64).floor() as i64
    }

    /// The block of whole cells that lie inside `bbox`: every actor the store puts in one of
    /// them is inside `bbox`. Cells cut by an edge of `bbox` (and the first and last rows,
    /// which also hold the actors beyond Web Mercator's latitude limit) are left out. None when
    /// no whole cell fits, or the box crosses the antimeridian.
    pub fn cells_inside(self, bbox: &BoundingBox) -> Option<CellBlock> {
        if bbox.crosses_antimeridian() {
            return None;
        }
        let last = self.cells_per_side() - 1;
        let block = CellBlock {
            zoom: self,
            min_x: (self.cell_column(bbox.min_lon + CELL_EDGE_MARGIN_DEG) + 1).max(0),
            max_x: (self.cell_column(bbox.max_lon - CELL_EDGE_MARGIN_DEG) - 1).min(last),
            min_y: (self.cell_row(bbox.max_lat - CELL_EDGE_MARGIN_DEG) + 1).max(1),
            max_y: (self.cell_row(bbox.min_lat + CELL_EDGE_MARGIN_DEG) - 1).min(last - 1),
        };
        (block.min_x <= block.max_x && block.min_y <= block.max_y).then_some(block)
    }
}

/// A rectangle of whole cluster cells of one zoom, columns `min_x..=max_x`, rows
/// `min_y..=max_y` (row 0 is the northernmost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellBlock {
    pub zoom: Zoom,
    pub min_x: i64,
    pub max_x: i64,
    pub min_y: i64,
    pub max_y: i64,
}

impl CellBlock {
    /// The block's outer edges in longitude and latitude.
    pub fn bounds(&self) -> BoundingBox {
        let side = self.zoom.cells_per_side() as f64;
        let lon = |x: i64| x as f64 / side * 360.0 - 180.0;
        let lat = |y: i64| {
            (PI * (1.0 - 2.0 * y as f64 / side))
                .sinh()
                .atan()
                .to_degrees()
        };
        BoundingBox {
            min_lon: lon(self.min_x),
            min_lat: lat(self.max_y + 1),
            max_lon: lon(self.max_x + 1),
            max_lat: lat(self.min_y),
        }
    }

    /// The same ground in as few cells as the zooms above allow: the whole cells of each
    /// zoom from 0 to the block's own that lie inside it and inside no coarser cell already
    /// taken, as blocks (at most four per zoom: a frame around the coarser ones). They tile
    /// the block exactly: a cell of zoom z − 1 is exactly the 2×2 cells below it. Summing
    /// stored counts over them reads far fewer rows than over the block's own cells.
    pub fn in_coarsest_cells(&self) -> Vec<CellBlock> {
        let mut blocks = Vec::new();
        // The cells taken so far, as a block of the zoom being looked at.
        let mut taken: Option<CellBlock> = None;
        for level in 0..=self.zoom.0 {
            let shift = self.zoom.0 - level;
            let zoom = Zoom(level);
            taken = taken.map(|t| t.one_zoom_deeper());
            let inside = CellBlock {
                zoom,
                // Whole cells only: round the start up and the end down.
                min_x: ceil_shift(self.min_x, shift),
                max_x: ((self.max_x + 1) >> shift) - 1,
                min_y: ceil_shift(self.min_y, shift),
                max_y: ((self.max_y + 1) >> shift) - 1,
            };
            if inside.min_x > inside.max_x || inside.min_y > inside.max_y {
                continue;
            }
            match taken {
                None => blocks.push(inside),
                Some(t) => blocks.extend(inside.frame_around(&t)),
            }
            taken = Some(inside);
        }
        blocks
    }

    /// The 2×2 cells of the next zoom that make up this block.
    fn one_zoom_deeper(&self) -> CellBlock {
        CellBlock {
            zoom: Zoom(self.zoom.0 + 1),
            min_x: self.min_x * 2,
            max_x: self.max_x * 2 + 1,
            min_y: self.min_y * 2,
            max_y: self.max_y * 2 + 1,
        }
    }

    /// This block without `hole` (a block of the same zoom inside it): up to four blocks,
    /// the rows above and below the hole at full width, the columns beside it at its height.
    fn frame_around(&self, hole: &CellBlock) -> Vec<CellBlock> {
        let part = |min_x, max_x, min_y, max_y| CellBlock {
            zoom: self.zoom,
            min_x,
            max_x,
            min_y,
            max_y,
        };
        [
            part(self.min_x, self.max_x, self.min_y, hole.min_y - 1),
            part(self.min_x, self.max_x, hole.max_y + 1, self.max_y),
            part(self.min_x, hole.min_x - 1, hole.min_y, hole.max_y),
            part(hole.max_x + 1, self.max_x, hole.min_y, hole.max_y),
        ]
        .into_iter()
        .filter(|b| b.min_x <= b.max_x && b.min_y <= b.max_y)
        .collect()
    }

    /// How many cells the block holds.
    pub fn cells(&self) -> i64 {
        (self.max_x - self.min_x + 1) * (self.max_y - self.min_y + 1)
    }
}

/// `value / 2^shift` rounded up (value ≥ 0).
fn ceil_shift(value: i64, shift: u8) -> i64 {
    (value + (1 << shift) - 1) >> shift
}

/// A tile of the Web Mercator pyramid (XYZ scheme: y = 0 is the northern edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub zoom: Zoom,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Parses `z`, `x`, `y` as they appear in a tile URL, naming every bad part.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<TileId, Vec<FieldError>> {
        let zoom = Zoom::parse("z", z).map_err(|e| vec![e])?;
        let side = 1u64 << zoom.level();
        let coordinate = |field: &str, raw: &str| {
            raw.trim()
                .parse::<u64>()
                .ok()
                .filter(|v| *v < side)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| {
                    FieldError::new(
                        field,
                        "invalid_tile",
                        format!(
                            "{field} must be a whole number from 0 to {} at zoom {}",
                            side - 1,
                            zoom.level()
                        ),
                    )
                })
        };
        match (coordinate("x", x), coordinate("y", y)) {
            (Ok(x), Ok(y)) => Ok(TileId { zoom, x, y }),
            (x, y) => Err([x.err(), y.err()].into_iter().flatten().collect()),
        }
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.zoom.level(), self.x, self.y)
    }
}

/// A cell of the cluster grid at one zoom: column `x` from the antimeridian eastwards, row `y`
/// from the northern edge of the Web Mercator world southwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClusterCell {
    pub zoom: Zoom,
    pub x: i64,
    pub y: i64,
}

impl fmt::Display for ClusterCell {
    /// The cluster's stable id: `z/x/y` of its cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.zoom.level(), self.x, self.y)
    }
}

/// How many actors of a cluster carry a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub category: CategoryId,
    pub count: u64,
}

/// Several actors drawn as one symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub cell: ClusterCell,
    pub count: u64,
    /// Mean position of the members (where the symbol goes).
    pub lon: f64,
    pub lat: f64,
    /// The box around the members (zooming to it shows them all).
    pub extent: BoundingBox,
    /// The most frequent categories among the members, most frequent first.
    pub top_categories: Vec<CategoryCount>,
}

/// One actor drawn on its own, with just what a marker and its popup need.
#[derive(Debug, Clone, PartialEq)]
pub struct MapActor {
    pub id: ActorId,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
    pub categories: Vec<CategoryId>,
    pub lon: f64,
    pub lat: f64,
}

/// What a map shows at a place: a cluster or a single actor.
#[derive(Debug, Clone, PartialEq)]
pub enum MapItem {
    Cluster(Cluster),
    Actor(MapActor),
}

impl MapItem {
    pub fn count(&self) -> u64 {
        match self {
            MapItem::Cluster(cluster) => cluster.count,
            MapItem::Actor(_) => 1,
        }
    }
}

/// The spatial and temporal extent of the published actors.
#[derive(Debug, Clone, PartialEq)]
pub struct DataExtent {
    pub bbox: Option<BoundingBox>,
    pub first_update: Option<chrono::DateTime<chrono::Utc>>,
    pub last_update: Option<chrono::DateTime<chrono::Utc>>,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_halve_with_each_zoom() {
        let z0 = Zoom::new(0).expect("z0").cluster_cell_size_m();
        let z1 = Zoom::new(1).expect("z1").cluster_cell_size_m();
        assert!((z0 / 2.0 - z1).abs() < 1e-6);
        assert!((z0 * 8.0 - WEB_MERCATOR_WORLD_SIZE_M).abs() < 1e-6);
    }

    #[test]
    fn tile_coordinates_must_lie_in_the_pyramid() {
        assert!(TileId::parse("0", "0", "0").is_ok());
        assert!(TileId::parse("3", "7", "7").is_ok());
        let errors = TileId::parse("3", "8", "-1").expect_err("outside");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["x", "y"]);
        assert_eq!(
            TileId::parse("23", "0", "0").expect_err("too deep")[0].code,
            "invalid_zoom"
        );
        assert!(TileId::parse("a", "0", "0").is_err());
    }

    #[test]
    fn coarsest_cells_tile_a_block_exactly() {
        let z6 = Zoom::new(STORED_FACET_CELLS_MAX_ZOOM).expect("z6");
        let europe = BoundingBox {
            min_lon: -25.0,
            min_lat: 34.0,
            max_lon: 45.0,
            max_lat: 72.0,
        };
        let mut blocks = vec![z6.cells_inside(&europe).expect("Europe holds whole cells")];
        // Blocks of every shape and alignment: single cells, rows, odd and even edges.
        let mut seed = 7_u64;
        let mut next = |below: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % below as u64) as i64
        };
        for _ in 0..300 {
            let (x, y) = (next(400), next(400));
            blocks.push(CellBlock {
                zoom: z6,
                min_x: x,
                max_x: x + next(112),
                min_y: y,
                max_y: y + next(112),
            });
        }
        for block in blocks {
            let cover = block.in_coarsest_cells();
            // Every cell of the block lies in exactly one covering block, and no other cell.
            let mut seen = std::collections::HashMap::new();
            for part in &cover {
                assert!(part.min_x <= part.max_x && part.min_y <= part.max_y);
                let shift = z6.level() - part.zoom.level();
                for x in part.min_x..=part.max_x {
                    for y in part.min_y..=part.max_y {
                        for dx in 0..(1 << shift) {
                            for dy in 0..(1 << shift) {
                                let cell = ((x << shift) + dx, (y << shift) + dy);
                                assert!(seen.insert(cell, ()).is_none(), "{block:?}: {cell:?}");
                            }
                        }
                    }
                }
            }
            assert_eq!(seen.len() as i64, block.cells(), "{block:?}");
            assert!(seen
                .keys()
                .all(|&(x, y)| (block.min_x..=block.max_x).contains(&x)
                    && (block.min_y..=block.max_y).contains(&y)));
            // At most a frame of four blocks per zoom.
            assert!(
                cover.len() <= 4 * (usize::from(z6.level()) + 1),
                "{cover:?}"
            );
        }
        // A 64×64 block aligned on a cell of zoom 0 (8 cells a side) is that one cell.
        let aligned = CellBlock {
            zoom: z6,
            min_x: 64,
            max_x: 127,
            min_y: 128,
            max_y: 191,
        };
        let cover = aligned.in_coarsest_cells();
        assert_eq!(cover.len(), 1);
        assert_eq!(
            (cover[0].zoom.level(), cover[0].min_x, cover[0].min_y),
            (0, 1, 2)
        );
    }

    #[test]
    fn a_cell_block_holds_only_whole_cells_inside_the_box() {
        let europe = BoundingBox {
            min_lon: -25.0,
            min_lat: 34.0,
            max_lon: 45.0,
            max_lat: 72.0,
        };
        for level in 0..=STORED_CELLS_MAX_ZOOM {
            let zoom = Zoom::new(level).expect("zoom");
            let Some(block) = zoom.cells_inside(&europe) else {
                assert!(level < 3, "Europe holds whole cells from zoom 3 on");
                continue;
            };
            let inner = block.bounds();
            assert!(inner.min_lon >= europe.min_lon && inner.max_lon <= europe.max_lon);
            assert!(inner.min_lat >= europe.min_lat && inner.max_lat <= europe.max_lat);
            // Only a sliver at each edge is left out: less than one cell.
            let cell_lon = 360.0 / zoom.cells_per_side() as f64;
            assert!(inner.min_lon - europe.min_lon < cell_lon + 1e-9);
            assert!(europe.max_lon - inner.max_lon < cell_lon + 1e-9);
            // The block's corners fall in its corner cells.
            assert_eq!(zoom.cell_column(inner.min_lon + 1e-7), block.min_x);
            assert_eq!(zoom.cell_column(inner.max_lon - 1e-7), block.max_x);
            assert_eq!(zoom.cell_row(inner.max_lat - 1e-7), block.min_y);
            assert_eq!(zoom.cell_row(inner.min_lat + 1e-7), block.max_y);
        }
        // A box on cell edges keeps the cells along them out (a point on an edge may be
        // placed on either side by rounding).
        let z4 = Zoom::new(4).expect("z4");
        let aligned = BoundingBox {
            min_lon: 0.0,
            min_lat: 0.0,
            max_lon: 45.0,
            max_lat: 45.0,
        };
        let block = z4.cells_inside(&aligned).expect("a block");
        assert_eq!((block.min_x, block.max_x), (65, 78));
        assert!(z4
            .cells_inside(&BoundingBox {
                min_lon: 170.0,
                min_lat: 0.0,
                max_lon: -170.0,
                max_lat: 10.0
            })
            .is_none());
        assert!(z4
            .cells_inside(&BoundingBox {
                min_lon: 1.0,
                min_lat: 1.0,
                max_lon: 1.1,
                max_lat: 1.1
            })
            .is_none());
        // The world: everything but the first and last rows (where clamped actors go).
        let world = z4
            .cells_inside(&BoundingBox {
                min_lon: -180.0,
                min_lat: -90.0,
                max_lon: 180.0,
                max_lat: 90.0,
            })
            .expect("world");
        assert_eq!(
            (world.min_x, world.max_x, world.min_y, world.max_y),
            (1, 126, 1, 126)
        );
    }

    #[test]
    fn zoom_is_bounded() {
        assert!(Zoom::parse("zoom", "0").is_ok());
        assert!(Zoom::parse("zoom", "22").is_ok());
        assert!(Zoom::parse("zoom", "23").is_err());
        assert!(Zoom::parse("zoom", "-1").is_err());
        assert!(Zoom::parse("zoom", "4.5").is_err());
    }
}
