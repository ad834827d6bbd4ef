#!/usr/bin/env python3
"""The SQL the API runs for a benchmark scenario, as plain SQL and as a pgbench script.

  sql.py bbox MINLON MINLAT MAXLON MAXLAT [--q TEXT] [--limit 50] --out PREFIX
  sql.py near LAT LON RADIUS_KM [--q TEXT] [--limit 50] --out PREFIX
  sql.py search TEXT [--limit 50] --out PREFIX          (q alone, sorted by relevance)
  sql.py detail SLUG --out PREFIX

Writes PREFIX.sql (one statement per line, values as literals: for EXPLAIN and for
reading), PREFIX.pgbench.sql (the same statement for pgbench) and PREFIX.pgbench.args (extra
pgbench options: `-D q=...` for a text query).

The statements mirror crates/atlas-store/src/actors.rs (list_actors on a first page: one
statement that sorts ids and counts the matches with a window, then reads the page's rows in
full; published_actor): the column list is read from ACTOR_COLUMNS in
crates/atlas-store/src/rows.rs and the search parts from crates/atlas-store/src/sql/*.sql,
so they follow the code. Numbers are written as literals; the text of a query is bound as a
parameter (`:q`, which pgbench -M extended sends as $1), as the API does. The API keeps its
statements prepared per connection but plans each run with its values
(plan_cache_mode = force_custom_plan), which is what pgbench -M extended gets with unnamed
statements, so the plans are the same.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROWS_RS = REPO / "crates" / "atlas-store" / "src" / "rows.rs"
SQL_DIR = REPO / "crates" / "atlas-store" / "src" / "sql"
NO_SEARCH_COLUMNS = ("NULL::boolean AS name_hit, NULL::text[] AS matched_categories, "
                     "NULL::boolean AS tags_hit, NULL::boolean AS place_hit, NULL::boolean AS text_hit, NULL::text AS snippet")

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


def ranked_candidates() -> int:
    """RANKED_CANDIDATES of actors.rs: how many matches get the full relevance score."""
    src = (REPO / "crates" / "atlas-store" / "src" / "actors.rs").read_text(encoding="utf-8")
    m = re.search(r"RANKED_CANDIDATES\s*:\s*i64\s*=\s*(\d+)\s*;", src)
    if not m:
        sys.exit("sql.py: RANKED_CANDIDATES not found in actors.rs")
    return int(m.group(1))


def rust_const(path: str, name: str) -> int:
    """An integer constant `name` of a Rust source file under crates/atlas-store/src."""
    src = (REPO / "crates" / "atlas-store" / "src" / path).read_text(encoding="utf-8")
    m = re.search(name + r"\s*:\s*(?:[iu]64|usize)\s*=\s*([\d_]+)\s*;", src)
    if not m:
        sys.exit(f"sql.py: {name} not found in {path}")
    return int(m.group(1).replace("_", ""))


# Set by main(): the database, to ask the planner's estimate as list_actors does.
DB: dict[str, str] = {}


def planner_estimate(statement: str) -> float:
    """Plan Rows of `statement` (an EXPLAIN (FORMAT JSON) with literals) on DB."""
    out = subprocess.run(["psql", DB["url"], "-X", "-A", "-t", "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return float(json.loads(out)[0]["Plan"]["Plan Rows"])


def lit(x: float) -> str:
    return repr(float(x))


def sql_file(name: str) -> str:
    """A file of crates/atlas-store/src/sql without its comment lines, on one line."""
    text = (SQL_DIR / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("--")]
    return " ".join(" ".join(lines).split())


EXPAND = ("SELECT match_all::text AS match_all, match_any::text AS match_any, "
          "match_exact::text AS match_exact FROM atlas_search_query({q})")
# The tsqueries of the expanded text, as list_actors binds them: set per text by main().
TSQUERIES: dict[str, str] = {}
# What the user typed, for the names-with-every-word candidates of a broad query.
TEXT: dict[str, str] = {}


def name_words_condition(text: str) -> str:
    """actors.rs name_words_condition: the names contain each word of three letters or more
    (the first NAME_WORDS), when there are two or more; else no such candidates."""
    words = [w for w in re.split(r"[^\w]|_", text) if len(w) >= 3]
    words = words[:rust_const("actors.rs", "NAME_WORDS")]
    if len(words) < 2:
        return "false"
    return " AND ".join(f"a.search_names LIKE '%' || atlas_normalise({quote(w)}) || '%'"
                        for w in words)


def list_page(cols: str, where: str, order: str, page_order: str, limit: int,
              distance: str = "NULL::float8", q: str | None = None) -> list[str]:
    """A first page as list_actors sends it; `q` is the text's placeholder or literal, and
    TSQUERIES its expanded tsqueries (placeholders or literals). A relevance order is two
    statements: the planner's estimate of the matches, then the page (from the search
    postings when the estimate is above DEFAULT_BROAD_MATCHES, as list_actors decides)."""
    estimate: list[str] = []
    if q is not None:
        text_cte = ("sq AS NOT MATERIALIZED (SELECT {match_all}::tsquery AS match_all, "
                    "{match_any}::tsquery AS match_any, {match_exact}::tsquery AS match_exact, "
                    "ARRAY(SELECT c.id FROM categories c WHERE "
                    "array_to_tsvector(ARRAY['c:' || c.id]) @@ {match_all}::tsquery) "
                    "AS whole_categories),").format(**TSQUERIES)
        text_join = " CROSS JOIN sq"
        score = sql_file("search_score.sql").replace("{q}", q)
        search_columns = sql_file("search_columns.sql").replace("{q}", q)
        from_where = (" FROM actors a CROSS JOIN sq WHERE a.status = 'published' "
                      "AND a.search_doc @@ sq.match_all" + where)
        total = "count(*) OVER ()"
        if order == RELEVANCE_ORDER[0]:
            estimate = [("EXPLAIN (FORMAT JSON) SELECT 1 FROM actors a CROSS JOIN "
                         "(SELECT {match_all}::tsquery AS match_all, {match_any}::tsquery AS "
                         "match_any, {match_exact}::tsquery AS match_exact) sq "
                         "WHERE a.status = 'published' AND a.search_doc @@ sq.match_all"
                         ).format(**TSQUERIES) + where]
            if "broad" not in DB:
                DB["broad"] = str(planner_estimate(estimate[0])
                                  > rust_const("lib.rs", "DEFAULT_BROAD_MATCHES"))
        if order == RELEVANCE_ORDER[0] and DB["broad"] == "True":
            # Broad query: the best candidates from the search postings.
            ranked = rust_const("actors.rs", "BROAD_RANKED")
            cheap = f"similarity(atlas_normalise({q}), a.search_names)"
            source = (sql_file("broad_candidates.sql")
                      .replace("{from_where}", from_where)
                      .replace("{per_term}", str(rust_const("actors.rs", "POSTINGS_PER_TERM")))
                      .replace("{name_words}", name_words_condition(TEXT["text"]))
                      .replace("{ranked}", str(ranked)).replace("{needed}", str(limit + 1))
                      .replace("{cheap}", cheap))
            from_where = f" FROM {source} JOIN actors a ON a.id = c.candidate_id CROSS JOIN sq"
            score = f"CASE WHEN c.cheap_position <= {ranked} THEN {score} ELSE c.cheap - 2 END"
            total = "NULL::int8"
        elif order == RELEVANCE_ORDER[0]:
            # Two-step ranking (list_actors): a cheap score for every match, the full score
            # for the best RANKED_CANDIDATES of them only.
            ranked = ranked_candidates()
            cheap = f"similarity(atlas_normalise({q}), a.search_names)"
            from_where = (
                f" FROM (SELECT a.id AS candidate_id, {cheap} AS cheap, "
                f"row_number() OVER (ORDER BY {cheap} DESC, a.id) AS cheap_position, "
                f"count(*) OVER () AS matches{from_where} "
                f"ORDER BY {cheap} DESC, a.id LIMIT {max(ranked, limit + 1)}) c "
                "JOIN actors a ON a.id = c.candidate_id CROSS JOIN sq")
            score = f"CASE WHEN c.cheap_position <= {ranked} THEN {score} ELSE c.cheap - 2 END"
            total = "c.matches"
    else:
        text_cte, text_join, score, search_columns = "", "", "NULL::float8", NO_SEARCH_COLUMNS
        from_where = " FROM actors a WHERE a.status = 'published'" + where
        total = "count(*) OVER ()"
    # Placeholders are replaced in the order actors.rs replaces them.
    return estimate + [sql_file("list_actors.sql")
            .replace("{text}", text_cte).replace("{text_join}", text_join)
            .replace("{distance}", distance).replace("{score}", score)
            .replace("{total}", total).replace("{from_where}", from_where)
            .replace("{order}", order).replace("{limit}", f"LIMIT {limit + 1}")
            .replace("{columns}", cols).replace("{search_columns}", search_columns)
            .replace("{page_order}", page_order)]


NAME_ORDER = ("ORDER BY a.sort_name, a.id", "ORDER BY page.sort_name, page.id")
RELEVANCE_ORDER = ("ORDER BY score DESC, a.id", "ORDER BY page.score DESC, page.id")
DISTANCE_ORDER = ("ORDER BY distance_km, a.id", "ORDER BY page.distance_km, page.id")


def bbox(cols: str, a: argparse.Namespace, q: str | None) -> list[str]:
    env = f"a.geom && ST_MakeEnvelope({lit(a.a)}, {lit(a.b)}, {lit(a.c)}, {lit(a.d)}, 4326)"
    order = RELEVANCE_ORDER if q is not None else NAME_ORDER
    return list_page(cols, f" AND ({env})", *order, a.limit, q=q)


def near(cols: str, a: argparse.Namespace, q: str | None) -> list[str]:
    lat, lon, km = a.a, a.b, a.c
    point = f"ST_SetSRID(ST_MakePoint({lit(lon)}, {lit(lat)}), 4326)::geography"
    where = f" AND ST_DWithin(a.geom::geography, {point}, {lit(km * 1000.0)})"
    distance = f"ST_Distance(a.geom::geography, {point}) / 1000.0"
    return list_page(cols, where, *DISTANCE_ORDER, a.limit, distance=distance, q=q)


def search(cols: str, limit: int, q: str) -> list[str]:
    return list_page(cols, "", *RELEVANCE_ORDER, limit, q=q)


def expanded_literals(db: str, text: str) -> dict[str, str]:
    """The text's tsqueries as SQL literals, expanded by the database's atlas_search_query."""
    out = subprocess.run(
        ["psql", db, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
         "-c", EXPAND.format(q=quote(text))],
        check=True, capture_output=True, text=True).stdout.rstrip("\n")
    values = out.split("\t")
    if len(values) != 3 or not all(values):
        sys.exit(f"sql.py: {text!r} expands to no tsquery (only stop words?)")
    return dict(zip(["match_all", "match_any", "match_exact"], (quote(v) for v in values)))


def detail(cols: str, slug: str) -> list[str]:
    s = slug.replace("'", "''")
    return [f"SELECT {cols} FROM actors a WHERE a.status = 'published' AND a.slug = '{s}'"]


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["bbox", "near", "search", "detail"])
    ap.add_argument("values", nargs="+")
    ap.add_argument("--q", help="text query (bound as a parameter)")
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--out", required=True)
    ap.add_argument("--db", help="database URL, to expand a text query into its tsqueries")
    args = ap.parse_args()
    cols = actor_columns()
    text = args.values[0] if args.kind == "search" else args.q

    def statements(q: str | None) -> list[str]:
        if args.kind == "detail":
            return detail(cols, args.values[0])
        if args.kind == "search":
            return search(cols, args.limit, q or "''")
        need = 4 if args.kind == "bbox" else 3
        if len(args.values) != need:
            sys.exit(f"sql.py: {args.kind} needs {need} numbers")
        nums = [float(v) for v in args.values] + [0.0]
        ns = argparse.Namespace(a=nums[0], b=nums[1], c=nums[2], d=nums[3], limit=args.limit)
        return bbox(cols, ns, q) if args.kind == "bbox" else near(cols, ns, q)

    # A text query is two statements, as in list_actors: the expansion of the text into
    # tsqueries, then the page with them bound as values (pgbench: \gset into variables).
    literal_expand: list[str] = []
    bound_expand: list[str] = []
    if text is not None:
        if not args.db:
            sys.exit("sql.py: a text query needs --db (to expand it into tsqueries)")
        TSQUERIES.update(expanded_literals(args.db, text))
        TEXT["text"] = text
        DB["url"] = args.db
        literal_expand = [EXPAND.format(q=quote(text))]
    literal = literal_expand + statements(quote(text) if text is not None else None)
    if text is not None:
        TSQUERIES.update({k: f":{k}" for k in ("match_all", "match_any", "match_exact")})
        bound_expand = [EXPAND.format(q=":q") + " \\gset"]
    bound = statements(":q" if text is not None else None)
    Path(args.out + ".sql").write_text("".join(s + ";\n" for s in literal), encoding="utf-8")
    Path(args.out + ".pgbench.sql").write_text(
        "".join(s + "\n" for s in bound_expand) + "".join(s + ";\n" for s in bound),
        encoding="utf-8")
    Path(args.out + ".pgbench.args").write_text(
        f"-Dq={text}\n" if text is not None else "", encoding="utf-8")


if __name__ == "__main__":
    main()
