//! What a map needs at a given zoom: clusters of nearby actors at low zooms, single actors
//! once there is room to show them, and the addressing of Web Mercator tiles.
//!
//! Clusters are the cells of one grid anchored to the world (Web Mercator, origin at the
//! top-left corner of the world square), so a cell — and its id — is the same whatever
//! viewport asks for it: panning never reshuffles the clusters.

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
    fn zoom_is_bounded() {
        assert!(Zoom::parse("zoom", "0").is_ok());
        assert!(Zoom::parse("zoom", "22").is_ok());
        assert!(Zoom::parse("zoom", "23").is_err());
        assert!(Zoom::parse("zoom", "-1").is_err());
        assert!(Zoom::parse("zoom", "4.5").is_err());
    }
}
