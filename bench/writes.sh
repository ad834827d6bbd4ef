#!/usr/bin/env bash
# bench/writes.sh — the cost of single-actor writes (what the triggers on actors add: stored map
# cells, export lines, search outbox, change counter), as pgbench per-statement latencies, on
# one or more databases loaded the same way (e.g. one per migration state, side by side).
# Every transaction is rolled back, so the databases stay as they were.
#
# Usage: bash bench/writes.sh DB [DB...]       (DATABASE_URL names the server; superuser)
# Environment: BENCH_WRITES [100] transactions per script and database.
# Needs databases with the synthetic actors of bench/generate.py (slugs bench-1 … bench-N,
# BENCH_ACTORS [100000]).
set -euo pipefail
[[ -n ${DATABASE_URL:-} ]] || { echo "DATABASE_URL is not set" >&2; exit 1; }
[[ $# -ge 1 ]] || { echo "usage: $0 DB [DB...]" >&2; exit 1; }
N=${BENCH_WRITES:-100}
ACTORS=${BENCH_ACTORS:-100000}
SCRIPTS=$(mktemp -d)
trap 'rm -rf "$SCRIPTS"' EXIT

write_script() {  # $1 = name, $2.. = statements between BEGIN and ROLLBACK
  local name=$1; shift
  { echo "\\set n random(1, $ACTORS)"; echo "\\set k random(0, 60)"; echo "BEGIN;"
    printf '%s\n' "$@"; echo "ROLLBACK;"; } >"$SCRIPTS/$name.sql"
}
write_script no-cell-change "UPDATE actors SET summary = summary WHERE slug = 'bench-' || :n;"
write_script rename "UPDATE actors SET name = name || ' x' WHERE slug = 'bench-' || :n;"
write_script category "UPDATE actors SET categories = (SELECT ARRAY[id] FROM categories ORDER BY id OFFSET :k LIMIT 1) WHERE slug = 'bench-' || :n;"
write_script move "UPDATE actors SET geom = ST_Translate(geom, 0.05, 0.03) WHERE slug = 'bench-' || :n;"
write_script unpublish-publish \
  "UPDATE actors SET status = 'archived' WHERE slug = 'bench-' || :n;" \
  "UPDATE actors SET status = 'published' WHERE slug = 'bench-' || :n;"

url_of() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$1"; }

echo "| database | script | mean latency per UPDATE (ms) |"
echo "|---|---|---|"
for db in "$@"; do
  url=$(url_of "$db")
  # Dead rows left by earlier runs would slow the index probes: start from a vacuumed state.
  psql "$url" -XqAt -c "VACUUM ANALYZE actors" -c "VACUUM ANALYZE map_cells" -c "VACUUM ANALYZE map_cell_categories"
  for script in no-cell-change rename category move unpublish-publish; do
    latencies=$(pgbench -n -r -t "$N" -c 1 -f "$SCRIPTS/$script.sql" "$url" 2>&1 \
      | awk '/^ +[0-9.]+ +[0-9]+ +UPDATE/ {printf "%s%s", sep, $1; sep=" / "}')
    echo "| $db | $script | $latencies |"
  done
done
