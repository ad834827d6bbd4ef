#!/usr/bin/env python3
"""The SQL the API runs for a benchmark scenario, as plain SQL and as a pgbench script.

  sql.py bbox MINLON MINLAT MAXLON MAXLAT [--limit 50] --out PREFIX
  sql.py near LAT LON RADIUS_KM [--limit 50] --out PREFIX
  sql.py detail SLUG --out PREFIX

Writes PREFIX.sql (one statement per line, for EXPLAIN and for reading) and
PREFIX.pgbench.sql (the same statements; a list page's two queries wrapped in
\\startpipeline/\\endpipeline, as the API pipelines them on one connection).

The statements mirror crates/atlas-store/src/actors.rs (list_actors, published_actor): the
column list is read from ACTOR_COLUMNS in crates/atlas-store/src/rows.rs so it follows the
code; values are written as literals (the API binds them as parameters of an unnamed
statement, which PostgreSQL plans with the values known, so the plans are the same).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROWS_RS = REPO / "crates" / "atlas-store" / "src" / "rows.rs"

FALLBACK_COLUMNS = (
    "a.id, a.slug, a.status, a.version, a.name, a.alt_names, a.summary, a.description, a.kind, "
    "a.categories, a.tags, a.languages, a.country, a.region, a.city, a.postcode, a.street, "
    "ST_Y(a.geom) AS lat, ST_X(a.geom) AS lon, a.location_precision, a.website, a.links, "
    "a.founded_year, a.identifiers, a.licence, a.source_kind, a.source_name, a.created_at, "
    "a.updated_at"
)


def actor_columns() -> str:
    try:
        src = ROWS_RS.read_text(encoding="utf-8")
    except OSError:
        return FALLBACK_COLUMNS
    m = re.search(r'ACTOR_COLUMNS\s*:\s*&str\s*=\s*"((?:[^"\\]|\\.)*)"\s*;', src, re.S)
    if not m:
        print("sql.py: ACTOR_COLUMNS not found in rows.rs; using the built-in list", file=sys.stderr)
        return FALLBACK_COLUMNS
    # Rust string continuation: backslash-newline swallows the newline and leading spaces.
    return re.sub(r"\\\n\s*", "", m.group(1))


def lit(x: float) -> str:
    return repr(float(x))


def bbox(cols: str, a: argparse.Namespace) -> list[str]:
    env = f"a.geom && ST_MakeEnvelope({lit(a.a)}, {lit(a.b)}, {lit(a.c)}, {lit(a.d)}, 4326)"
    where = f"WHERE a.status = 'published' AND ({env})"
    return [
        f"SELECT {cols}, a.sort_name, NULL::float8 AS distance_km FROM actors a {where} "
        f"ORDER BY a.sort_name, a.id LIMIT {a.limit + 1}",
        f"SELECT count(*) AS count FROM actors a {where}",
    ]


def near(cols: str, a: argparse.Namespace) -> list[str]:
    lat, lon, km = a.a, a.b, a.c
    point = f"ST_SetSRID(ST_MakePoint({lit(lon)}, {lit(lat)}), 4326)::geography"
    where = f"WHERE a.status = 'published' AND ST_DWithin(a.geom::geography, {point}, {lit(km * 1000.0)})"
    return [
        f"SELECT {cols}, a.sort_name, ST_Distance(a.geom::geography, {point}) / 1000.0 AS distance_km "
        f"FROM actors a {where} ORDER BY distance_km, a.id LIMIT {a.limit + 1}",
        f"SELECT count(*) AS count FROM actors a {where}",
    ]


def detail(cols: str, slug: str) -> list[str]:
    s = slug.replace("'", "''")
    return [f"SELECT {cols} FROM actors a WHERE a.status = 'published' AND a.slug = '{s}'"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["bbox", "near", "detail"])
    ap.add_argument("values", nargs="+")
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cols = actor_columns()
    if args.kind == "detail":
        stmts = detail(cols, args.values[0])
    else:
        need = 4 if args.kind == "bbox" else 3
        if len(args.values) != need:
            sys.exit(f"sql.py: {args.kind} needs {need} numbers")
        nums = [float(v) for v in args.values] + [0.0]
        ns = argparse.Namespace(a=nums[0], b=nums[1], c=nums[2], d=nums[3], limit=args.limit)
        stmts = bbox(cols, ns) if args.kind == "bbox" else near(cols, ns)
    Path(args.out + ".sql").write_text("".join(s + ";\n" for s in stmts), encoding="utf-8")
    body = "".join(s + ";\n" for s in stmts)
    if len(stmts) > 1:
        body = "\\startpipeline\n" + body + "\\endpipeline\n"
    Path(args.out + ".pgbench.sql").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
