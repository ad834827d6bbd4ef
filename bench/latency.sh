#!/usr/bin/env bash
# bench/latency.sh — latency of one set of read requests on a database with many actors, for
# one binary or for a baseline and a candidate in the same run (same database, one after the
# other per request, so that both see the same machine load).
#
#   bench/latency.sh SET DB_URL ATLAS_BINARY [BASELINE_BINARY]
#
# BASE_ENV (optional) gives the baseline server extra settings, e.g. the same binary with
# BASE_ENV="SEARCH_EXPANSION_CACHE_MB=0" as baseline.
#
# SET is facets (GET /v1/facets; two viewports: Germany, most of Europe), suggest (GET /v1/search/suggest, as typed letter by letter
# and with typos), suggest-view (the same with a map's view: Vienna, Germany, most of Europe),
# search (GET /v1/actors?q=) or pages (GET /v1/actors of viewports, without a text). Each request is answered one at a time (wrk,
# one connection) for BENCH_LATENCY_SECONDS (default 10) after one unrecorded request;
# response caches are off, so every request counts again. Prints one row per request:
# requests done, p50 and p99 in ms, per binary. Loopback only; nothing is downloaded.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SET=$1 DB=$2 BIN=$3 BASE=${4:-}
SECONDS_EACH=${BENCH_LATENCY_SECONDS:-${BENCH_FACETS_SECONDS:-10}}
case $SET in
  facets) REQUESTS=(
    "/v1/facets"
    "/v1/facets?q=coperativa"
    "/v1/facets?q=repair%20cafe"
    "/v1/facets?q=lyon"
    "/v1/facets?q=verein&bbox=16.18,48.10,16.58,48.33"
    "/v1/facets?country=DE&kind=cooperative"
    "/v1/facets?bbox=5.8,47.2,15.1,55.1"
    "/v1/facets?bbox=-11,35,32,60"
  ) ;;
  suggest) REQUESTS=(
    "/v1/search/suggest?q=c"
    "/v1/search/suggest?q=co"
    "/v1/search/suggest?q=coop"
    "/v1/search/suggest?q=wi"
    "/v1/search/suggest?q=vien"
    "/v1/search/suggest?q=Munich"
    "/v1/search/suggest?q=Innsbruk"
    "/v1/search/suggest?q=repair"
    "/v1/search/suggest?q=Lebensmittel&lang=de"
  ) ;;
  suggest-view) REQUESTS=(
    "/v1/search/suggest?q=c&bbox=16.18,48.10,16.58,48.33"
    "/v1/search/suggest?q=co&bbox=16.18,48.10,16.58,48.33"
    "/v1/search/suggest?q=repa&bbox=16.18,48.10,16.58,48.33"
    "/v1/search/suggest?q=vien&bbox=16.18,48.10,16.58,48.33"
    "/v1/search/suggest?q=co&bbox=5.8,47.2,15.1,55.1"
    "/v1/search/suggest?q=coop&bbox=5.8,47.2,15.1,55.1"
    "/v1/search/suggest?q=repair&bbox=5.8,47.2,15.1,55.1"
    "/v1/search/suggest?q=co&bbox=-11,35,32,60"
    "/v1/search/suggest?q=Innsbruk&bbox=-11,35,32,60"
  ) ;;
  search) REQUESTS=(
    "/v1/actors?q=lyon&limit=50"
    "/v1/actors?q=coperativa&limit=50"
    "/v1/actors?q=repair%20cafe&limit=50"
    "/v1/actors?q=verein&bbox=16.18,48.10,16.58,48.33&limit=50"
    "/v1/actors?q=vienna&limit=50"
    "/v1/actors?q=zerowaste&limit=50"
    "/v1/actors?q=sustainabilty&limit=50"
    "/v1/actors?q=biodiversty%20education&limit=50"
    "/v1/actors?q=cooperative%20austria&limit=50"
    "/v1/actors?q=cooperative&bbox=5.8,47.2,15.1,55.1&limit=50"
    "/v1/actors?q=nonprofit&limit=50"
    "/v1/actors?q=busco%20cooperativa%20de%20consumo%20en%20Valencia&limit=50"
    "/v1/actors?q=ich%20suche%20ein%20repair%20cafe%20in%20Berlin&limit=50"
  ) ;;
  pages) REQUESTS=(
    "/v1/actors?limit=50"
    "/v1/actors?bbox=-11,35,32,60&limit=50"
    "/v1/actors?bbox=5.8,47.2,15.1,55.1&limit=50"
    "/v1/actors?bbox=16.18,48.10,16.58,48.33&limit=50"
    "/v1/actors?bbox=-11,35,32,60&kind=cooperative&limit=50"
    "/v1/actors?bbox=5.8,47.2,15.1,55.1&language=de&limit=50"
    "/v1/actors?bbox=-11,35,32,60&country=FR&kind=cooperative&limit=50"
    "/v1/actors?bbox=-11,35,32,60&kind=cooperative&language=de&limit=50"
    "/v1/actors?bbox=-11,35,32,60&category=food&kind=association&limit=50"
    "/v1/actors?bbox=5.8,47.2,15.1,55.1&language=de&kind=association&sort=updated&limit=50"
    "/v1/actors?bbox=5.8,47.2,15.1,55.1&format=geojson&limit=200"
  ) ;;
  *) echo "unknown set $SET (facets, suggest, suggest-view, search or pages)" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
start() { # start BINARY ADDR [NAME=VALUE...]
  local bin=$1 addr=$2
  shift 2
  env DATABASE_URL="$DB" ATLAS_ADDR="$addr" RESPONSE_CACHE_MB=0 RUST_LOG=warn "$@" "$bin" serve >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://$addr/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "$bin did not start on $addr" >&2
  exit 1
}
measure() { # measure URL → "requests p50 p99"
  curl -fsS -o /dev/null "$1"
  wrk -t1 -c1 -d"${SECONDS_EACH}s" --timeout 60s -s "$HERE/wrk-report.lua" "$1" |
    sed -n 's/^WRK_JSON //p' |
    python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["err_status"] == 0, d
print("%d\t%.1f\t%.1f" % (d["requests"], d["p50_ms"], d["p99_ms"]))'
}

NEW=127.0.0.1:18183 OLD=127.0.0.1:18184
start "$BIN" $NEW
# shellcheck disable=SC2086 # BASE_ENV is a list of NAME=VALUE words
[[ -n $BASE ]] && start "$BASE" $OLD ${BASE_ENV:-}
echo "$SET on database: ${DB##*/}  binary: $BIN${BASE:+  baseline: $BASE ${BASE_ENV:-}}  ${SECONDS_EACH}s per request, 1 connection"
if [[ -n $BASE ]]; then
  printf 'request\tbaseline n\tbaseline p50\tbaseline p99\tn\tp50\tp99\tp50 baseline ÷ new\n'
else
  printf 'request\tn\tp50\tp99\n'
fi
for path in "${REQUESTS[@]}"; do
  new=$(measure "http://$NEW$path")
  if [[ -n $BASE ]]; then
    old=$(measure "http://$OLD$path")
    ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1].split()[1]) / float(sys.argv[2].split()[1]):.1f}×")' "$old" "$new")
    printf '%s\t%s\t%s\t%s\n' "$path" "$old" "$new" "$ratio"
  else
    printf '%s\t%s\n' "$path" "$new"
  fi
done
