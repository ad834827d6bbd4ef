#!/usr/bin/env bash
# bench/broad-overlap.sh — how far the broad-query path (candidates from search_postings,
# estimated total) agrees with ranking every match, on a database with many actors.
#
#   bench/broad-overlap.sh DB_URL ATLAS_BINARY [QUERY...]
#
# Starts two servers on the same database, one ranking every match (SEARCH_BROAD_MATCHES=0)
# and one with the default threshold, asks both for the first 10 results of each query and
# prints, per query: the exact total, the estimated one, how many of the exact top 10 (and of
# its top 3) the broad path also has in its top 10, and in how many of each top 10 the name
# matched (`_matches.fields`): among thousands of near-equal name matches the two paths
# often break ties differently, and the last column says whether the broad path still puts
# name matches first. Loopback only; response caches off.
set -euo pipefail
DB=$1 BIN=$2
shift 2
QUERIES=("$@")
if [[ ${#QUERIES[@]} -eq 0 ]]; then
  QUERIES=(coperativa cooperative "repair cafe" energy cafe genossenschaft
           Wohnungsgenossenschaft "food bank" verein association digital "open source"
           "community garden" bike library mutual housing solidarity cultura lyon)
fi
EXACT=127.0.0.1:18181 BROAD=127.0.0.1:18182
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for spec in "$EXACT 0" "$BROAD 2000"; do
  read -r addr threshold <<<"$spec"
  DATABASE_URL=$DB ATLAS_ADDR=$addr RESPONSE_CACHE_MB=0 SEARCH_BROAD_MATCHES=$threshold \
    RUST_LOG=warn "$BIN" serve >/dev/null 2>&1 &
  pids+=($!)
done
for addr in $EXACT $BROAD; do
  for _ in $(seq 50); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.2; done
done
printf 'query\texact_total\tbroad_total\testimated\ttop10_overlap\ttop3_in_top10\tname_hits_exact/broad\n'
for q in "${QUERIES[@]}"; do
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
  exact=$(curl -fs "http://$EXACT/v1/actors?q=$enc&limit=10")
  broad=$(curl -fs "http://$BROAD/v1/actors?q=$enc&limit=10")
  python3 - "$q" "$exact" "$broad" <<'EOF'
import json, sys
q, exact, broad = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
e = [i["id"] for i in exact["items"]]
b = set(i["id"] for i in broad["items"])
names = lambda page: sum("name" in i["_matches"]["fields"] for i in page["items"])
print(f"{q}\t{exact['total']}\t{broad['total']}\t{broad['total_estimated']}\t"
      f"{len(b & set(e))}/{len(e)}\t{len(b & set(e[:3]))}/{len(e[:3])}\t"
      f"{names(exact)}/{names(broad)}")
EOF
done
