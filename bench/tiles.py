#!/usr/bin/env python3
"""Fixed tile lists and the tile SQL the API runs, for bench/tiles.sh.

  tiles.py list --zoom Z --count N            tiles (z/x/y, one a line) holding the first N
                                              synthetic actors by id (a fixed, spread sample
                                              over Europe), at most 128 (pgbench's limit of
                                              scripts); needs DATABASE_URL and psql
  tiles.py pgbench --list FILE --out DIR      one pgbench script per tile, with z/x/y and the
                                              cell size as pgbench variables, which -M extended
                                              binds as parameters, as the API does

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
WORLD = 40_075_016.685_578_49
CELLS_PER_TILE_SIDE = 8
UNCLUSTERED_FROM_ZOOM = 16
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


def tile_sql(zoom: int) -> str:
    def strip(text: str) -> str:
        return " ".join(line.split("--")[0].strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("--"))

    where = " AND a.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int), 4326)"
    if zoom < UNCLUSTERED_FROM_ZOOM:
        items = (SQL_DIR / "map_cells.sql").read_text().replace("{where}", where).replace("{cell}", "$5")
    else:
        items = (SQL_DIR / "map_singles.sql").read_text().replace("{where}", where)
    sql = strip((SQL_DIR / "tile.sql").read_text()).replace("{items}", strip(items)).replace("{zoom}", "$4")
    for n, name in ((5, ":cell"), (4, ":zoom"), (3, ":y"), (2, ":x"), (1, ":z")):
        sql = sql.replace(f"${n}", name)
    return sql + ";"


def pgbench_scripts(list_file: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i, line in enumerate(l for l in list_file.read_text().split() if l):
        z, x, y = (int(v) for v in line.split("/"))
        cell = WORLD / CELLS_PER_TILE_SIDE / 2**z
        (out / f"tile-{i:04d}.sql").write_text(
            f"\\set z {z}\n\\set x {x}\n\\set y {y}\n\\set zoom {z}\n\\set cell {cell:.6f}\n{tile_sql(z)}\n"
        )


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
