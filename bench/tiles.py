#!/usr/bin/env python3
"""Fixed tile lists and the tile SQL the API runs, for bench/tiles.sh.

  tiles.py list --zoom Z --count N            tiles (z/x/y, one a line) holding the first N
                                              synthetic actors by id (a fixed, spread sample
                                              over Europe), at most 128 (pgbench's limit of
                                              scripts); needs DATABASE_URL and psql
  tiles.py pgbench --list FILE --out DIR      one pgbench script per tile, with z/x/y (and the
                                              tile's cell range) as pgbench variables, which
                                              -M extended binds as parameters, as the API does

The SQL is assembled from crates/atlas-store/src/sql/{map_cells,map_singles,tile}.sql the way
crates/atlas-store/src/map.rs does for a tile without filters, so it follows the code.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQL_DIR = REPO / "crates" / "atlas-store" / "src" / "sql"
CELLS_PER_TILE_SIDE = 8
UNCLUSTERED_FROM_ZOOM = 16
# atlas_domain::map::STORED_CELLS_MAX_ZOOM: unfiltered tiles up to this zoom read map_cells.
STORED_CELLS_MAX_ZOOM = 12
# pgbench takes at most 128 scripts, one per tile.
MAX_TILES = 128


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(x, n - 1), min(y, n - 1)


def tile_list(zoom: int, count: int) -> list[str]:
    rows = subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-XAt", "-F", ",", "-c",
         "SELECT ST_X(geom), ST_Y(geom) FROM actors WHERE external_id LIKE 'bench:%' "
         f"ORDER BY id LIMIT {int(count)}"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    tiles = sorted({tile_of(float(lon), float(lat), zoom) for lon, lat in (r.split(",") for r in rows)})
    if len(tiles) > MAX_TILES:  # evenly spaced, so the list still spreads over Europe
        tiles = [tiles[i * len(tiles) // MAX_TILES] for i in range(MAX_TILES)]
    return [f"{zoom}/{x}/{y}" for x, y in tiles]


def strip(text: str) -> str:
    return " ".join(line.split("--")[0].strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("--"))


def tile_sql(zoom: int) -> tuple[str, list[str]]:
    """The SQL of an unfiltered tile and the names of its parameters, in order ($1, $2, ...)."""
    in_tile = " AND a.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int), 4326)"
    # The stored set of an unfiltered tile is all actors (facet and value ''). The API binds
    # both as text parameters; pgbench cannot hold an empty string in a variable, so here
    # they are literals.
    cells = (SQL_DIR / "map_cells.sql").read_text().replace("{facet}", "''").replace("{value}", "''")
    if zoom >= UNCLUSTERED_FROM_ZOOM:
        items = (SQL_DIR / "map_singles.sql").read_text().replace("{where}", in_tile)
        params = ["z", "x", "y", "tzoom"]
    elif zoom <= STORED_CELLS_MAX_ZOOM:
        # The tile's 8×8 stored cells (CellSource::StoredBlock with nothing live).
        live = " AND false"
        stored = " AND cx BETWEEN $5 AND $6 AND cy BETWEEN $7 AND $8"
        items = cells.replace("{live_where}", live).replace("{stored_where}", stored).replace("{zoom}", "$4")
        params = ["z", "x", "y", "zoom", "minx", "maxx", "miny", "maxy", "tzoom"]
    else:
        items = cells.replace("{live_where}", in_tile).replace("{stored_where}", " AND false").replace("{zoom}", "$4")
        params = ["z", "x", "y", "zoom", "tzoom"]
    tile_zoom = f"${len(params)}"
    sql = strip((SQL_DIR / "tile.sql").read_text()).replace("{items}", strip(items)).replace("{zoom}", tile_zoom)
    for n in range(len(params), 0, -1):
        sql = sql.replace(f"${n}", f":{params[n - 1]}")
    return sql + ";"


def pgbench_scripts(list_file: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i, line in enumerate(l for l in list_file.read_text().split() if l):
        z, x, y = (int(v) for v in line.split("/"))
        last = 2**z - 1
        values = {
            "z": z, "x": x, "y": y, "zoom": z, "tzoom": z,
            "minx": x * CELLS_PER_TILE_SIDE,
            "maxx": x * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1 + (1 if x == last else 0),
            "miny": y * CELLS_PER_TILE_SIDE,
            "maxy": y * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1 + (1 if y == last else 0),
        }
        header = "".join(f"\\set {name} {value}\n" for name, value in values.items())
        (out / f"tile-{i:04d}.sql").write_text(header + tile_sql(z) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list")
    listing.add_argument("--zoom", type=int, required=True)
    listing.add_argument("--count", type=int, default=300)
    scripts = sub.add_parser("pgbench")
    scripts.add_argument("--list", type=Path, required=True)
    scripts.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "list":
        print("\n".join(tile_list(args.zoom, args.count)))
    else:
        pgbench_scripts(args.list, args.out)


if __name__ == "__main__":
    main()
