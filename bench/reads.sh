#!/usr/bin/env bash
# bench/reads.sh — map front-end reads with and without the response cache, on the seed.
#
# A front-end panning a map asks for lists, searches, facets and clusters of viewports; the
# same viewports come back again and again (other users, back-and-forth panning). This runs
# one list of such requests (BENCH_VIEWS city-sized viewports around real seed actors, each
# asked as a page, with each of the words in BENCH_WORDS, as facets and as clusters) through
# wrk, in turn, against the release server with RESPONSE_CACHE_MB=0 and then with the cache
# on, and the single request of issue #3's target (q=verein + the Vienna bbox) both ways.
# See bench/README.md ("Reads with the response cache").
#
# Needs DATABASE_URL (superuser; `make bench` exports it), wrk, psql, python3, curl, cargo.
# Environment (defaults in brackets):
#   BENCH_DB [atlas_reads_bench]   database created, migrated and seeded (dropped first!)
#   BENCH_REUSE_DB [0]             1 = use BENCH_DB as it is (migrated and seeded)
#   BENCH_ADDR [127.0.0.1:18083]   BENCH_TARGET_DIR [/var/tmp/atlas-bench-target]
#   BENCH_VIEWS [40]  BENCH_WORDS ["verein cooperative repair digital"]
#   BENCH_CONNECTIONS [64]  BENCH_DURATION [12]  BENCH_RESULTS [bench/results/reads-<date>]
set -euo pipefail
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/.." && pwd -P)
log() { printf '[reads] %s\n' "$*" >&2; }
die() { printf '[reads] ERROR: %s\n' "$*" >&2; exit 1; }
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (run via 'make bench-reads', or export it)"
for tool in wrk psql python3 curl cargo; do command -v "$tool" >/dev/null || die "$tool not found"; done

BENCH_DB=${BENCH_DB:-atlas_reads_bench}
ADDR=${BENCH_ADDR:-127.0.0.1:18083}
[[ $ADDR == 127.0.0.1:* ]] || die "BENCH_ADDR must be on 127.0.0.1"
TARGET_DIR=${BENCH_TARGET_DIR:-/var/tmp/atlas-bench-target}
VIEWS=${BENCH_VIEWS:-40}
WORDS=${BENCH_WORDS:-verein cooperative repair digital}
CONNS=${BENCH_CONNECTIONS:-64}
DURATION=${BENCH_DURATION:-12}
OUT=${BENCH_RESULTS:-$HERE/results/reads-$(date +%Y-%m-%d-%H%M)}
mkdir -p "$OUT"
BENCH_URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$BENCH_DB")

log "release build (CARGO_TARGET_DIR=$TARGET_DIR)"
(cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release -q -p atlas-api --bin atlas)
ATLAS=$TARGET_DIR/release/atlas

export ATLAS_SEED_DIR="$REPO/seed-data" ATLAS_SHARED_DATA=${ATLAS_SHARED_DATA:-$REPO/../shared/data}
if [[ ${BENCH_REUSE_DB:-0} != 1 ]]; then
  log "creating $BENCH_DB: migrate, seed"
  psql "$DATABASE_URL" -XqAt -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
  DATABASE_URL=$BENCH_URL "$ATLAS" migrate >"$OUT/migrate.log" 2>&1
  DATABASE_URL=$BENCH_URL "$ATLAS" seed >"$OUT/seed.log" 2>&1
else
  DATABASE_URL=$BENCH_URL "$ATLAS" migrate >"$OUT/migrate.log" 2>&1
fi
psql "$BENCH_URL" -XqAt -c "VACUUM ANALYZE actors"

# The request list: viewports of Vienna's size (0.40° x 0.23°) centred on actors picked in a
# fixed pseudo-random order, each asked as a page, per word, as facets and as clusters.
psql "$BENCH_URL" -XAt -F' ' -c "SELECT round(ST_X(geom)::numeric, 3), round(ST_Y(geom)::numeric, 3)
    FROM actors WHERE status = 'published' ORDER BY md5(id::text) LIMIT $VIEWS" \
  | python3 -c '
import sys
words = sys.argv[1].split()
for line in sys.stdin:
    lon, lat = map(float, line.split())
    bbox = f"{lon - 0.2:.3f},{lat - 0.115:.3f},{lon + 0.2:.3f},{lat + 0.115:.3f}"
    print(f"/v1/actors?bbox={bbox}&limit=50")
    for word in words:
        print(f"/v1/actors?bbox={bbox}&q={word}&limit=50")
    print(f"/v1/facets?bbox={bbox}")
    print(f"/v1/clusters?bbox={bbox}&zoom=10")
' "$WORDS" >"$OUT/paths.txt"
log "$(wc -l <"$OUT/paths.txt") distinct requests"
VIENNA_SEARCH="/v1/actors?bbox=16.18,48.10,16.58,48.33&q=verein&limit=50"
echo "$VIENNA_SEARCH" >"$OUT/vienna.txt"

SERVER_PID=
stop_server() { if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; SERVER_PID=; }
trap stop_server EXIT
start_server() {  # $1 = RESPONSE_CACHE_MB
  stop_server
  DATABASE_URL=$BENCH_URL ATLAS_ADDR=$ADDR PUBLIC_BASE_URL="http://$ADDR" RUST_LOG=warn RESPONSE_CACHE_MB=$1 \
    "$ATLAS" serve >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs "http://$ADDR/healthz" >/dev/null && return; sleep 0.2; done
  die "the server did not start (see $OUT/server.log)"
}
wrk_field() { grep -o "\"$2\":[0-9.]*" "$1" | cut -d: -f2; }
run_wrk() {  # $1 = paths file, $2 = output, $3 = seconds, then extra wrk arguments
  local list=$1 out=$2 secs=$3; shift 3
  (cd "$REPO" && TILE_LIST="$list" wrk -t2 -c"$CONNS" -d"${secs}s" --timeout 30s "$@" -s bench/wrk-tiles.lua "http://$ADDR") >"$out"
}
# What browsers send: kept answers then go out compressed (made once per answer).
BROWSER_ENCODING='Accept-Encoding: gzip, deflate, br'

for mode in off on; do
  mb=0; [[ $mode == on ]] && mb=64
  start_server "$mb"
  for list in paths vienna; do
    run_wrk "$OUT/$list.txt" /dev/null 3   # warm-up: connections, PostgreSQL caches (and the cache)
    run_wrk "$OUT/$list.txt" "$OUT/$list-cache-$mode.txt" "$DURATION"
    run_wrk "$OUT/$list.txt" "$OUT/$list-cache-$mode-br.txt" "$DURATION" -H "$BROWSER_ENCODING"
  done
  # As wrk asks (no Accept header), so this finds wrk's entry when the cache is on.
  hits=$(curl -sS -H 'Accept:' -o /dev/null -D - "http://$ADDR$VIENNA_SEARCH" | tr -d '\r' | grep -i '^x-atlas-cache:' || true)
  log "cache $mode: the Vienna search afterwards answers with '${hits:-no x-atlas-cache header}'; $(uptime)"
done
stop_server

{
  echo "| request list | distinct requests | cache | Accept-Encoding | req/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|--:|---|---|--:|--:|--:|--:|"
  for list in paths vienna; do
    n=$(wc -l <"$OUT/$list.txt")
    for mode in off on; do
      for enc in "" -br; do
        f="$OUT/$list-cache-$mode$enc.txt"
        accept=none; [[ -n $enc ]] && accept="gzip, deflate, br"
        echo "| $list | $n | $mode | $accept | $(wrk_field "$f" rps) | $(wrk_field "$f" p50_ms) | $(wrk_field "$f" p99_ms) | $(wrk_field "$f" err_status) |"
      done
    done
  done
} | tee "$OUT/summary.md"
