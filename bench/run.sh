#!/usr/bin/env bash
# bench/run.sh — load benchmark of the Atlas read API against raw SQL. See bench/README.md.
#
# Needs DATABASE_URL (a superuser on the PostgreSQL + PostGIS server to use; `make bench`
# exports it). Creates a separate database on that server (BENCH_DB, default atlas_bench),
# builds and starts a release `atlas serve` on 127.0.0.1 only, runs wrk and pgbench, saves
# raw outputs under bench/results/<date>/ and prints a Markdown summary.
#
# Environment (defaults in brackets):
#   BENCH_DB [atlas_bench]                  database created (dropped first!) for the run
#   BENCH_ADDR [127.0.0.1:18080]            where the benchmarked server listens (loopback only)
#   BENCH_TARGET_DIR [/var/tmp/atlas-bench-target]  CARGO_TARGET_DIR for the release build
#   BENCH_SKIP_BUILD [0]                    1 = use the binary already in BENCH_TARGET_DIR
#   BENCH_ACTORS [100000]                   synthetic actors for scenario (b)
#   BENCH_CONNECTIONS [64] BENCH_THREADS [2] BENCH_DURATION [12]   the load run (wrk)
#   BENCH_SINGLE_DURATION [10]              1-connection latency run (wrk)
#   BENCH_PGBENCH_SECONDS [10]              each pgbench run
#   BENCH_PGBENCH_MODE [extended]           pgbench -M (the API uses the extended protocol)
#   BENCH_RUST_LOG [warn]                   RUST_LOG of the server (info logs every request)
#   BENCH_EXTRA [1]                         1 = also Vienna bbox/near at 100k actors
#   BENCH_WAIT_IDLE [600]                   seconds to wait for the machine to go quiet (per measurement)
#   BENCH_MAX_OTHER [0.25] BENCH_RETRIES [4] measure again when other processes used more cores
#   BENCH_KEEP_DB [0]                       1 = keep BENCH_DB afterwards
#   BENCH_SYNTH_DB []                       an existing database holding the seed + generate.py's
#                                           actors (as (b) would load them): used for the (b)
#                                           scenarios instead of loading (loading with the search
#                                           triggers takes ~5-15 min); it is not dropped
#   BENCH_BASELINE_BIN []                   another `atlas` binary (e.g. built from main): each
#                                           scenario's wrk runs are repeated against it, on the
#                                           same database, for a before/after in one run
#   BENCH_BASELINE_ADDR [127.0.0.1:18082]   where the baseline server listens
#   BENCH_ONLY []                           space-separated scenario names to run (default all)
#   BENCH_SEARCH [1]                        1 = also the search scenarios (q, q+bbox)
#   BENCH_RESULTS [bench/results/<date>]    output directory
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/.." && pwd -P)

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (run via 'make bench', or export it)"
for tool in wrk pgbench psql python3 curl cargo; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk postgresql-client; see bench/README.md)"
done

BENCH_DB=${BENCH_DB:-atlas_bench}
ADDR=${BENCH_ADDR:-127.0.0.1:18080}
[[ $ADDR == 127.0.0.1:* ]] || die "BENCH_ADDR must be on 127.0.0.1 (got $ADDR)"
TARGET_DIR=${BENCH_TARGET_DIR:-/var/tmp/atlas-bench-target}
N_ACTORS=${BENCH_ACTORS:-100000}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-12}
SINGLE_DURATION=${BENCH_SINGLE_DURATION:-10}
PGB_T=${BENCH_PGBENCH_SECONDS:-10}
PGB_MODE=${BENCH_PGBENCH_MODE:-extended}
SERVER_LOG_LEVEL=${BENCH_RUST_LOG:-warn}
EXTRA=${BENCH_EXTRA:-1}
SEARCH=${BENCH_SEARCH:-1}
BASE="http://$ADDR"
BASELINE_BIN=${BENCH_BASELINE_BIN:-}
BASELINE_ADDR=${BENCH_BASELINE_ADDR:-127.0.0.1:18082}
[[ $BASELINE_ADDR == 127.0.0.1:* ]] || die "BENCH_BASELINE_ADDR must be on 127.0.0.1 (got $BASELINE_ADDR)"
BASELINE_BASE="http://$BASELINE_ADDR"
SYNTH_DB=${BENCH_SYNTH_DB:-}
ONLY=${BENCH_ONLY:-}

BENCH_URL=$(python3 - "$DATABASE_URL" "$BENCH_DB" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))
EOF
)

# --- output directory ------------------------------------------------------------------------
DAY=$(date +%Y-%m-%d)
OUT=${BENCH_RESULTS:-$HERE/results/$DAY}
if [[ -z ${BENCH_RESULTS:-} && -e $OUT ]]; then
  i=2; while [[ -e $OUT-$i ]]; do i=$((i + 1)); done; OUT=$OUT-$i
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
log "results: $OUT"

# --- machine / run description ---------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "worktree_changes: $(git -C "$REPO" status --porcelain 2>/dev/null | wc -l) files differ from HEAD"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "pgbench: $(pgbench --version)"
  echo "postgres: $(psql "$DATABASE_URL" -XAtc 'SHOW server_version')"
  echo "postgis: $(psql "$DATABASE_URL" -XAtc "SELECT extversion FROM pg_extension WHERE extname='postgis'" 2>/dev/null || true)"
  echo "pg_settings: $(psql "$DATABASE_URL" -XAtc "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','work_mem','max_connections','jit','fsync','synchronous_commit')")"
  echo "load: connections=$CONNS threads=$THREADS duration=${DURATION}s single=${SINGLE_DURATION}s pgbench=${PGB_T}s mode=$PGB_MODE"
  echo "server: RUST_LOG=$SERVER_LOG_LEVEL DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-<default>} addr=$ADDR"
  [[ -z $BASELINE_BIN ]] || echo "baseline: $BASELINE_BIN on $BASELINE_ADDR ($(sha256sum "$BASELINE_BIN" | cut -c1-12))"
  [[ -z $SYNTH_DB ]] || echo "synthetic actors: existing database $SYNTH_DB"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# --- build -----------------------------------------------------------------------------------
export CARGO_TARGET_DIR=$TARGET_DIR
ATLAS=$TARGET_DIR/release/atlas
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  grep -q 'serve' "$REPO/crates/atlas-api/src/main.rs" \
    || die "crates/atlas-api/src/main.rs has no 'serve' subcommand yet"
  log "cargo build --release -p atlas-api --bin atlas (CARGO_TARGET_DIR=$TARGET_DIR)"
  (cd "$REPO" && cargo build --release -p atlas-api --bin atlas) 2>"$OUT/build.log" \
    || { tail -30 "$OUT/build.log" >&2; die "build failed (see $OUT/build.log)"; }
fi
[[ -x $ATLAS ]] || die "no binary at $ATLAS"

# --- wait for a quiet machine ----------------------------------------------------------------
busy_pct() { # machine CPU busy % over 3 s
  python3 - <<'EOF'
import time
def s():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4], sum(v[:8])
b0, t0 = s(); time.sleep(3); b1, t1 = s()
print(round(100 * (b1 - b0) / max(1, t1 - t0)))
EOF
}
wait_idle() {
  local waited=0 max=${BENCH_WAIT_IDLE:-600} pct
  while :; do
    pct=$(busy_pct)
    (( pct <= 15 )) && { log "machine idle enough (${pct}% busy)"; return 0; }
    (( waited >= max )) && { log "WARNING: machine still ${pct}% busy after ${max}s; measuring anyway (see cores_other)"; return 0; }
    log "machine ${pct}% busy (other work); waiting..."
    sleep 20; waited=$((waited + 23))
  done
}

# --- database --------------------------------------------------------------------------------
psql_admin() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_bench() { psql "$BENCH_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

SERVER_PID=
BASELINE_PID=
stop_server() {
  local pid
  for pid in "$SERVER_PID" "$BASELINE_PID"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  SERVER_PID=
  BASELINE_PID=
}
cleanup() {
  stop_server
  if [[ ${BENCH_KEEP_DB:-0} != 1 ]]; then
    psql_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" 2>/dev/null || true
  fi
}
trap cleanup EXIT

log "creating database $BENCH_DB (dropped first)"
psql_admin -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"

export ATLAS_SEED_DIR="$REPO/seed-data"
export ATLAS_SHARED_DATA
ATLAS_SHARED_DATA=$(cd "$REPO/../shared/data" && pwd -P)
log "atlas migrate && atlas seed (ATLAS_SEED_DIR=$ATLAS_SEED_DIR ATLAS_SHARED_DATA=$ATLAS_SHARED_DATA)"
(cd "$REPO" && DATABASE_URL=$BENCH_URL "$ATLAS" migrate) >"$OUT/migrate.log" 2>&1 \
  || { tail -20 "$OUT/migrate.log" >&2; die "atlas migrate failed"; }
(cd "$REPO" && DATABASE_URL=$BENCH_URL "$ATLAS" seed) >"$OUT/seed.log" 2>&1 \
  || { tail -20 "$OUT/seed.log" >&2; die "atlas seed failed"; }
psql_bench -c "VACUUM ANALYZE"
SEED_COUNT=$(psql_bench -Atc "SELECT count(*) FROM actors WHERE status = 'published'")
log "seeded: $SEED_COUNT published actors"

# wait_up PID BASE LOG: until the server at BASE answers (or exits).
wait_up() {
  local pid=$1 base=$2 logf=$3 i
  for i in $(seq 1 120); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/v1/actors?limit=1" 2>/dev/null) != 000 ]]; then
      log "server up (pid $pid) on ${base#http://}"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -20 "$logf" >&2; die "server exited"; }
    sleep 0.5
  done
  die "server did not answer on $base within 60 s"
}

# start_server DB_URL: the server under test (and the baseline one, when given) on DB_URL.
start_server() {
  local db_url=${1:-$BENCH_URL}
  stop_server
  (cd "$REPO" && DATABASE_URL=$db_url ATLAS_ADDR=$ADDR RUST_LOG=$SERVER_LOG_LEVEL RESPONSE_CACHE_MB=0 \
     exec "$ATLAS" serve) >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  wait_up "$SERVER_PID" "$BASE" "$OUT/server.log"
  if [[ -n $BASELINE_BIN ]]; then
    (cd "$REPO" && DATABASE_URL=$db_url ATLAS_ADDR=$BASELINE_ADDR RUST_LOG=$SERVER_LOG_LEVEL RESPONSE_CACHE_MB=0 \
       exec "$BASELINE_BIN" serve) >>"$OUT/baseline-server.log" 2>&1 &
    BASELINE_PID=$!
    wait_up "$BASELINE_PID" "$BASELINE_BASE" "$OUT/baseline-server.log"
  fi
}

# --- one measurement -------------------------------------------------------------------------
# measure PREFIX TAG PRECMD CMD...: wait for a quiet machine, run PRECMD (a warm-up, output
# dropped), then CMD under cpuwatch.py -> PREFIX.TAG.txt and PREFIX.TAG.cpu.json. When other
# work used more than BENCH_MAX_OTHER cores meanwhile, measure again (BENCH_RETRIES times).
MAX_OTHER=${BENCH_MAX_OTHER:-0.25}
RETRIES=${BENCH_RETRIES:-4}
measure() {
  local p=$1 tag=$2 pre=$3; shift 3
  local attempt=1 other
  while :; do
    wait_idle
    if [[ -n $pre ]]; then $pre >/dev/null 2>&1 || true; fi
    rm -f "$p.$tag.log".*
    python3 "$HERE/cpuwatch.py" --json "$p.$tag.cpu.json" --server-pid "${MEASURE_PID:-$SERVER_PID}" --pg-db "$CURRENT_DB" -- "$@" \
      >"$p.$tag.txt" 2>&1 || log "WARNING: $tag exited with an error (see $p.$tag.txt)"
    other=$(python3 "$HERE/cpuwatch.py" --mark "$p.$tag.cpu.json" "$attempt")
    if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$other" "$MAX_OTHER"; then
      return 0
    fi
    if (( attempt >= RETRIES )); then
      log "WARNING: ${p##*/}.$tag disturbed by other work (${other} cores) after $attempt attempts; kept"
      return 0
    fi
    log "${p##*/}.$tag disturbed by other work (${other} cores); measuring again"
    attempt=$((attempt + 1))
  done
}

# --- one scenario ----------------------------------------------------------------------------
# scenario NAME LABEL PATH SQLKIND SQLARGS...
scenario() {
  local name=$1 label=$2 path=$3; shift 3
  local url="$BASE$path" p="$OUT/$name"
  if [[ -n $ONLY && " $ONLY " != *" $name "* ]]; then return 0; fi
  log "── $name: $label  ($path)"
  python3 "$HERE/sql.py" "$@" --db "$CURRENT_URL" --out "$p"
  local -a pgargs=()
  mapfile -t pgargs <"$p.pgbench.args"

  local code
  code=$(curl -sS -o "$p.response.json" -w '%{http_code}' "$url")
  [[ $code == 200 ]] || { head -c 500 "$p.response.json" >&2; echo >&2; die "$name: HTTP $code for $path"; }
  local items total bytes
  items=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]) if isinstance(d, dict) and "items" in d else 1)' "$p.response.json")
  total=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("total", "") if isinstance(d, dict) else "")' "$p.response.json")
  bytes=$(stat -c %s "$p.response.json")

  # The same SQL: EXPLAIN ANALYZE (after a warm-up) and the row count check.
  local stmt
  : >"$p.explain.txt"
  while IFS= read -r stmt; do
    [[ -z $stmt ]] && continue
    # The planner's estimate list_actors asks for (a broad-query check) is itself an EXPLAIN.
    if [[ $stmt == EXPLAIN* ]]; then
      psql "$CURRENT_URL" -X -q -v ON_ERROR_STOP=1 -c "${stmt%;}" >>"$p.explain.txt" </dev/null
      continue
    fi
    # One session: run it twice first, so the plan shows a warm backend (as in the pool).
    psql "$CURRENT_URL" -X -q -v ON_ERROR_STOP=1 -c '\o /dev/null' -c "${stmt%;}" -c "${stmt%;}" -c '\o' \
      -c "EXPLAIN (ANALYZE, BUFFERS) ${stmt%;}" >>"$p.explain.txt" </dev/null
  done <"$p.sql"

  # Warm-up (server pool, PostgreSQL caches, hint bits) before the load run, not recorded.
  local warm="wrk -t$THREADS -c$CONNS -d3s $url"
  measure "$p" wrk64 "$warm" \
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -s "$HERE/wrk-report.lua" "$url"
  measure "$p" wrk1 "" \
    wrk -t1 -c1 -d"${SINGLE_DURATION}s" --timeout 30s --latency -s "$HERE/wrk-report.lua" "$url"
  # Raw SQL, same statements; single client with per-transaction log (for p50), then 64.
  measure "$p" pgbench1 "" \
    pgbench -n -M "$PGB_MODE" "${pgargs[@]}" -f "$p.pgbench.sql" -T "$PGB_T" -c 1 -l --log-prefix="$p.pgbench1.log" "$CURRENT_URL"
  measure "$p" pgbench64 "" \
    pgbench -n -M "$PGB_MODE" "${pgargs[@]}" -f "$p.pgbench.sql" -T "$PGB_T" -c "$CONNS" -j "$THREADS" "$CURRENT_URL"
  if [[ -n $BASELINE_BIN ]]; then
    # The same requests to the baseline binary, right after, on the same database.
    local burl="$BASELINE_BASE$path"
    curl -sS -o "$p.base-response.json" "$burl" || true
    MEASURE_PID=$BASELINE_PID measure "$p" base-wrk64 "wrk -t$THREADS -c$CONNS -d3s $burl" \
      wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 30s --latency -s "$HERE/wrk-report.lua" "$burl"
    MEASURE_PID=$BASELINE_PID measure "$p" base-wrk1 "" \
      wrk -t1 -c1 -d"${SINGLE_DURATION}s" --timeout 30s --latency -s "$HERE/wrk-report.lua" "$burl"
  fi

  python3 - "$p.meta.json" "$name" "$label" "$path" "$items" "$total" "$bytes" <<'EOF'
import json, sys
out, name, label, path, items, total, size = sys.argv[1:]
json.dump({"name": name, "label": label, "path": path, "items": int(items),
           "total": int(total) if total else None, "response_bytes": int(size)},
          open(out, "w"))
EOF
  echo "$name" >>"$OUT/scenarios.txt"
}

: >"$OUT/scenarios.txt"
CURRENT_DB=$BENCH_DB
CURRENT_URL=$BENCH_URL
start_server "$CURRENT_URL"

# --- (a) seed data only ----------------------------------------------------------------------
VIENNA="16.18,48.10,16.58,48.33"
SEED_SLUG=$(psql_bench -Atc "SELECT slug FROM actors WHERE status = 'published'
  AND geom && ST_MakeEnvelope(16.18, 48.10, 16.58, 48.33, 4326) ORDER BY sort_name, id LIMIT 1")
[[ -n $SEED_SLUG ]] || SEED_SLUG=$(psql_bench -Atc "SELECT slug FROM actors WHERE status = 'published' ORDER BY sort_name LIMIT 1")
echo "seed_actors: $SEED_COUNT" >>"$OUT/machine.txt"
scenario a-bbox-vienna "seed: bbox page, Vienna" "/v1/actors?bbox=$VIENNA&limit=50" \
  bbox 16.18 48.10 16.58 48.33
scenario a-detail "seed: detail by slug ($SEED_SLUG)" "/v1/actors/$SEED_SLUG" detail "$SEED_SLUG"
if [[ $SEARCH == 1 ]]; then
  # The map's case: what the reader typed, in the current viewport.
  scenario a-search-bbox-vienna "seed: q=verein + bbox Vienna" \
    "/v1/actors?q=verein&bbox=$VIENNA&limit=50" bbox 16.18 48.10 16.58 48.33 --q verein
fi

# --- (b) + synthetic actors ------------------------------------------------------------------
if [[ -n $SYNTH_DB ]]; then
  stop_server
  CURRENT_DB=$SYNTH_DB
  CURRENT_URL=$(python3 - "$DATABASE_URL" "$SYNTH_DB" <<'EOF'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))
EOF
)
  log "synthetic actors: using the existing database $SYNTH_DB"
  psql "$CURRENT_URL" -X -q -c "VACUUM ANALYZE actors"
  start_server "$CURRENT_URL"
else
  log "loading $N_ACTORS synthetic actors (bench/generate.py)"
  DATABASE_URL=$BENCH_URL python3 "$HERE/generate.py" -n "$N_ACTORS" --load 2>&1 | tee "$OUT/generate.log" >&2
  psql_bench -c "VACUUM ANALYZE actors"
fi
psql_current() { psql "$CURRENT_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
TOTAL_COUNT=$(psql_current -Atc "SELECT count(*) FROM actors WHERE status = 'published'")
echo "actors_after_generate: $TOTAL_COUNT" >>"$OUT/machine.txt"
log "published actors now: $TOTAL_COUNT"
python3 "$HERE/generate.py" -n "$N_ACTORS" --stats --top 15 >"$OUT/generate-top-towns.tsv"

# The town that got the most synthetic actors; a bbox of the Vienna box's size around it.
read -r _ _ _ CLAT CLON CNAME < <(sed -n 2p "$OUT/generate-top-towns.tsv" | tr '\t' ' ')
CITY_BBOX=$(python3 -c "import sys; la,lo=float(sys.argv[1]),float(sys.argv[2]); print(f'{lo-0.2:.2f},{la-0.115:.3f},{lo+0.2:.2f},{la+0.115:.3f}')" "$CLAT" "$CLON")
IFS=, read -r B1 B2 B3 B4 <<<"$CITY_BBOX"
CITY_MATCH=$(psql_current -Atc "SELECT count(*) FROM actors WHERE status = 'published' AND geom && ST_MakeEnvelope($CITY_BBOX, 4326)")
echo "city: $CNAME lat=$CLAT lon=$CLON bbox=$CITY_BBOX matches=$CITY_MATCH" >>"$OUT/machine.txt"
log "city bbox around $CNAME: $CITY_BBOX ($CITY_MATCH actors)"
(( CITY_MATCH >= 50 )) || die "city bbox has only $CITY_MATCH actors"
BENCH_SLUG=$(psql_current -Atc "SELECT slug FROM actors WHERE external_id = 'bench:$(( (N_ACTORS + 1) / 2 ))'")

scenario b-bbox-city "${N_ACTORS} synth: bbox page, $CNAME" "/v1/actors?bbox=$CITY_BBOX&limit=50" \
  bbox "$B1" "$B2" "$B3" "$B4"
scenario b-near-city "${N_ACTORS} synth: near $CNAME, 10 km, by distance" \
  "/v1/actors?near=$CLAT,$CLON&radius_km=10&sort=distance&limit=50" near "$CLAT" "$CLON" 10
scenario b-detail "${N_ACTORS} synth: detail by slug ($BENCH_SLUG)" "/v1/actors/$BENCH_SLUG" detail "$BENCH_SLUG"
if [[ $EXTRA == 1 ]]; then
  scenario b-bbox-vienna "${N_ACTORS} synth: bbox page, Vienna" "/v1/actors?bbox=$VIENNA&limit=50" \
    bbox 16.18 48.10 16.58 48.33
  scenario b-near-vienna "${N_ACTORS} synth: near Vienna, 10 km, by distance" \
    "/v1/actors?near=48.20849,16.37208&radius_km=10&sort=distance&limit=50" near 48.20849 16.37208 10
fi

if [[ $SEARCH == 1 ]]; then
  # Text queries at 100k actors, sorted by relevance (the default with q): a typo, several
  # words, a city, a category word in another language than most texts, the map's q + bbox.
  search_scenario() {
    local name=$1 label=$2 text=$3 query
    query=$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1]))' "$text")
    scenario "$name" "${N_ACTORS} synth: $label" "/v1/actors?q=$query&limit=50" search "$text"
  }
  search_scenario b-search-typo 'q=coperativa (typo)' coperativa
  search_scenario b-search-words 'q=repair cafe (two words)' 'repair cafe'
  search_scenario b-search-city 'q=lyon (a city)' lyon
  search_scenario b-search-other-lang 'q=Wohnungsgenossenschaft (category, German)' Wohnungsgenossenschaft
  search_scenario b-search-phrase 'q=tafeln berlin (category word + city)' 'tafeln berlin'
  scenario b-search-bbox-city "${N_ACTORS} synth: q=repair + bbox $CNAME" \
    "/v1/actors?q=repair&bbox=$CITY_BBOX&limit=50" bbox "$B1" "$B2" "$B3" "$B4" --q repair
  scenario b-search-bbox-vienna "${N_ACTORS} synth: q=verein + bbox Vienna" \
    "/v1/actors?q=verein&bbox=$VIENNA&limit=50" bbox 16.18 48.10 16.58 48.33 --q verein
fi

stop_server
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
log "raw outputs and summary.md in $OUT"
