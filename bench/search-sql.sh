#!/usr/bin/env bash
# bench/search-sql.sh — raw SQL latency of the search scenarios (the statements list_actors
# sends for a first page, rebuilt by a sql.py), single client, p50/p99 per scenario.
#
#   bench/search-sql.sh DB_URL SQL_PY OUT_DIR [SECONDS]
#
# For a before/after of the search SQL across a migration: run it with main's sql.py (and its
# crates/atlas-store/src/sql beside it) on the database before, then with this sql.py after.
# Scenarios as in bench/run.sh (b-search-*), with the Moscow bbox of the synthetic data.
set -euo pipefail
DB=$1 SQL_PY=$2 OUT=$3 SECS=${4:-8}
mkdir -p "$OUT"
run() {
  local name=$1; shift
  local p="$OUT/$name"
  python3 "$SQL_PY" "$@" --out "$p" 2>/dev/null || python3 "$SQL_PY" "$@" --db "$DB" --out "$p"
  local -a args=()
  mapfile -t args <"$p.pgbench.args"
  # Warm the backend's caches and dictionaries, then measure with a per-transaction log.
  pgbench -n -M extended "${args[@]}" -f "$p.pgbench.sql" -t 3 -c 1 "$DB" >/dev/null 2>&1
  rm -f "$p".log*
  pgbench -n -M extended "${args[@]}" -f "$p.pgbench.sql" -T "$SECS" -c 1 -l --log-prefix="$p.log" "$DB" \
    >"$p.pgbench.txt" 2>&1
  cat "$p".log* | awk '{print $3/1000.0}' | sort -n | awk -v name="$name" '
    {v[NR]=$1} END {
      if (NR == 0) { printf "%s\tno transaction finished\n", name; exit }
      p50=v[int((NR-1)*0.50)+1]; p99=v[int((NR-1)*0.99)+1];
      printf "%s\t%d\t%.1f\t%.1f\n", name, NR, p50, p99 }' | tee -a "$OUT/summary.tsv"
}
: >"$OUT/summary.tsv"
echo -e "scenario\truns\tp50_ms\tp99_ms" >"$OUT/summary.tsv"
run b-search-typo search coperativa
run b-search-words search 'repair cafe'
run b-search-city search lyon
run b-search-other-lang search Wohnungsgenossenschaft
run b-search-phrase search 'tafeln berlin'
run b-search-bbox-city bbox 37.42 55.637 37.82 55.867 --q repair
run b-search-bbox-vienna bbox 16.18 48.10 16.58 48.33 --q verein
