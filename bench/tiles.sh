#!/usr/bin/env bash
# bench/tiles.sh — vector tiles per second through the API next to raw ST_AsMVT in PostgreSQL,
# at z5, z8 and z12 on the seed + 100,000 (BENCH_ACTORS) synthetic actors, and the latency of
# clusters requests for all of Europe. See bench/README.md ("Tiles and clusters").
#
# Needs DATABASE_URL (superuser; `make bench` exports it), wrk, pgbench, psql, python3, curl.
# Environment (defaults in brackets):
#   BENCH_DB [atlas_tiles_bench]      database created (dropped first!) unless BENCH_REUSE_DB=1
#   BENCH_REUSE_DB [0]                1 = use BENCH_DB as it is (already seeded and loaded)
#   BENCH_ACTORS [100000]             synthetic actors
#   BENCH_ADDR [127.0.0.1:18081]      where the release server listens (loopback only)
#   BENCH_TARGET_DIR [/var/tmp/atlas-bench-target]   CARGO_TARGET_DIR of the release build
#   BENCH_ZOOMS ["5 8 12"]  BENCH_TILE_SAMPLE [300]  BENCH_CONNECTIONS [64]  BENCH_DURATION [12]
#   BENCH_CLUSTER_REQUESTS [60]  BENCH_RESULTS [bench/results/tiles-<date>]
set -euo pipefail
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/.." && pwd -P)
log() { printf '[tiles] %s\n' "$*" >&2; }
die() { printf '[tiles] ERROR: %s\n' "$*" >&2; exit 1; }
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (run via 'make bench', or export it)"
for tool in wrk pgbench psql python3 curl cargo; do command -v "$tool" >/dev/null || die "$tool not found"; done

BENCH_DB=${BENCH_DB:-atlas_tiles_bench}
ADDR=${BENCH_ADDR:-127.0.0.1:18081}
[[ $ADDR == 127.0.0.1:* ]] || die "BENCH_ADDR must be on 127.0.0.1"
TARGET_DIR=${BENCH_TARGET_DIR:-/var/tmp/atlas-bench-target}
ZOOMS=${BENCH_ZOOMS:-5 8 12}
SAMPLE=${BENCH_TILE_SAMPLE:-300}
CONNS=${BENCH_CONNECTIONS:-64}
DURATION=${BENCH_DURATION:-12}
OUT=${BENCH_RESULTS:-$HERE/results/tiles-$(date +%Y-%m-%d-%H%M)}
mkdir -p "$OUT"
BENCH_URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$BENCH_DB")

log "release build (CARGO_TARGET_DIR=$TARGET_DIR)"
(cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release -q -p atlas-api --bin atlas)
ATLAS=$TARGET_DIR/release/atlas

export ATLAS_SEED_DIR="$REPO/seed-data" ATLAS_SHARED_DATA=${ATLAS_SHARED_DATA:-$REPO/../shared/data}
if [[ ${BENCH_REUSE_DB:-0} != 1 ]]; then
  log "creating $BENCH_DB: migrate, seed, ${BENCH_ACTORS:-100000} synthetic actors"
  psql "$DATABASE_URL" -XqAt -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
  DATABASE_URL=$BENCH_URL "$ATLAS" migrate >"$OUT/migrate.log" 2>&1
  DATABASE_URL=$BENCH_URL "$ATLAS" seed >"$OUT/seed.log" 2>&1
  # The synthetic rows go in with the triggers off (session_replication_role = replica): the
  # per-row search triggers would take an hour for a million rows on a small machine. Their
  # search columns stay empty (no map read uses them); the stored map cells are then built in
  # one pass (map_cells_rebuild), which is what the triggers would have kept.
  PGOPTIONS='-c session_replication_role=replica' DATABASE_URL=$BENCH_URL \
    python3 "$HERE/generate.py" -n "${BENCH_ACTORS:-100000}" --load >"$OUT/generate.log" 2>&1
  psql "$BENCH_URL" -XqAt -c "SELECT map_cells_rebuild()"
else
  DATABASE_URL=$BENCH_URL "$ATLAS" migrate >"$OUT/migrate.log" 2>&1
fi
psql "$BENCH_URL" -XqAt -c "VACUUM ANALYZE actors"
ACTORS=$(psql "$BENCH_URL" -XAt -c "SELECT count(*) FROM actors WHERE status = 'published'")
log "$ACTORS published actors"

SERVER_PID=
stop_server() { if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; SERVER_PID=; }
trap stop_server EXIT
start_server() {  # $1 = TILE_CACHE_MB
  stop_server
  DATABASE_URL=$BENCH_URL ATLAS_ADDR=$ADDR PUBLIC_BASE_URL="http://$ADDR" RUST_LOG=warn TILE_CACHE_MB=$1 RESPONSE_CACHE_MB=0 \
    "$ATLAS" serve >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs "http://$ADDR/healthz" >/dev/null && return; sleep 0.2; done
  die "the server did not start (see $OUT/server.log)"
}
wrk_field() { grep -o "\"$2\":[0-9.]*" "$1" | cut -d: -f2; }
run_wrk() {  # $1 = paths file, $2 = output
  (cd "$REPO" && TILE_LIST="$1" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s bench/wrk-tiles.lua "http://$ADDR") >"$2"
}

for z in $ZOOMS; do
  DATABASE_URL=$BENCH_URL python3 "$HERE/tiles.py" list --zoom "$z" --count "$SAMPLE" >"$OUT/tiles-z$z.txt"
  sed 's|^|/v1/tiles/|; s|$|.mvt|' "$OUT/tiles-z$z.txt" >"$OUT/paths-z$z.txt"
  python3 "$HERE/tiles.py" pgbench --list "$OUT/tiles-z$z.txt" --out "$OUT/pgbench-z$z"
done

log "uncached (TILE_CACHE_MB=0): API and raw SQL"
start_server 0
for z in $ZOOMS; do
  while read -r path; do curl -fs -o /dev/null "http://$ADDR$path"; done <"$OUT/paths-z$z.txt"   # warm-up
  log "z$z: wrk"
  run_wrk "$OUT/paths-z$z.txt" "$OUT/wrk-uncached-z$z.txt"
  log "z$z: pgbench"
  files=(); for f in "$OUT/pgbench-z$z"/*.sql; do files+=(-f "$f"); done
  pgbench -n -M extended -c "$CONNS" -j 2 -T "$DURATION" "${files[@]}" "$BENCH_URL" >"$OUT/pgbench-z$z.txt" 2>&1
done
log "with the tile cache (TILE_CACHE_MB=256)"
start_server 256
for z in $ZOOMS; do
  while read -r path; do curl -fs -o /dev/null "http://$ADDR$path"; done <"$OUT/paths-z$z.txt"   # fills the cache
  log "z$z: wrk (cached)"
  run_wrk "$OUT/paths-z$z.txt" "$OUT/wrk-cached-z$z.txt"
done

{
  echo "| zoom | tiles in the list | API tiles/s, no cache | raw ST_AsMVT tiles/s (pgbench) | API / raw | API p99 ms, no cache | API tiles/s, tile cache | p99 ms, tile cache |"
  echo "|---|---|---|---|---|---|---|---|"
  for z in $ZOOMS; do
    n=$(wc -l <"$OUT/tiles-z$z.txt")
    api=$(wrk_field "$OUT/wrk-uncached-z$z.txt" rps)
    raw=$(grep -o 'tps = [0-9.]*' "$OUT/pgbench-z$z.txt" | head -1 | cut -d' ' -f3)
    cached=$(wrk_field "$OUT/wrk-cached-z$z.txt" rps)
    ratio=$(python3 -c "print(f'{$api / $raw * 100:.0f} %')")
    echo "| $z | $n | ${api%.*} | ${raw%.*} | $ratio | $(wrk_field "$OUT/wrk-uncached-z$z.txt" p99_ms) | ${cached%.*} | $(wrk_field "$OUT/wrk-cached-z$z.txt" p99_ms) |"
  done
} >"$OUT/summary.md"

# Clusters, one request at a time (the tile cache plays no part): p50 and p99 of
# BENCH_CLUSTER_REQUESTS [60] requests.
{
  echo
  echo "| clusters request (${ACTORS} actors) | p50 ms | p99 ms | features |"
  echo "|---|---|---|---|"
  for view in "zoom=4" "zoom=6" "zoom=4&kind=cooperative" "zoom=4&category=energy-environment" "zoom=4&country=DE"; do
    url="http://$ADDR/v1/clusters?bbox=-25,34,45,72&$view"
    features=$(curl -fs "$url" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["features"]))')
    for _ in $(seq "${BENCH_CLUSTER_REQUESTS:-60}"); do curl -fs -o /dev/null -w '%{time_total}\n' "$url"; done >"$OUT/clusters-$view.txt"
    read -r p50 p99 < <(sort -n "$OUT/clusters-$view.txt" | python3 -c 'import sys; t = [float(l) * 1000 for l in sys.stdin]; print(f"{t[len(t) // 2]:.1f} {t[min(len(t) - 1, round(len(t) * 0.99))]:.1f}")')
    echo "| Europe (-25,34,45,72), $view | $p50 | $p99 | $features |"
  done
} >>"$OUT/summary.md"
stop_server
log "summary ($OUT/summary.md):"
cat "$OUT/summary.md"
