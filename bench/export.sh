#!/usr/bin/env bash
# Export benchmark (issue #6): rows/s and the server's peak memory growth while it streams the
# whole dataset as CSV, NDJSON and GeoJSON, next to PostgreSQL's own COPY … TO of the same rows
# (the rows the CSV export reads, and a plain 10-column COPY), in the same run.
#
#   DATABASE_URL=postgres://…/atlas_bench bash bench/export.sh [ATLAS_BIN]
#
# The database should hold the synthetic actors of bench/generate.py (e.g. 100,000). The server
# is started here on 127.0.0.1:18090; its peak RSS is read from /proc (VmHWM) before and after.
set -euo pipefail
repo=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-${ATLAS_BIN:-/var/tmp/atlas-bench-target/release/atlas}}
port=${EXPORT_BENCH_PORT:-18090}
: "${DATABASE_URL:?set DATABASE_URL to the benchmark database}"

count=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM actors WHERE status = 'published'")
echo "actors published: $count"

ATLAS_ADDR=127.0.0.1:$port RUST_LOG=warn "$bin" serve >/tmp/atlas-export-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
# Warm the pool and the catalogue caches with one small export, then take the baseline.
curl -fs -o /dev/null "http://127.0.0.1:$port/v1/exports/actors.csv?country=LU"
rss_kb() { awk "/^$1:/ {print \$2}" "/proc/$pid/status"; }
base_rss=$(rss_kb VmRSS)

for format in ${EXPORT_BENCH_FORMATS:-csv ndjson geojson}; do
  result=$(curl -fs -o /dev/null -w '%{time_total} %{size_download}' "http://127.0.0.1:$port/v1/exports/actors.$format")
  read -r seconds bytes <<<"$result"
  peak=$(rss_kb VmHWM)
  awk -v f="$format" -v n="$count" -v s="$seconds" -v b="$bytes" -v base="$base_rss" -v peak="$peak" 'BEGIN {
    printf "%-8s %9d rows in %6.2f s = %9.0f rows/s, %7.1f MB, server RSS %5.1f MB before, peak %5.1f MB (growth %5.1f MB)\n",
      f, n, s, n / s, b / 1e6, base / 1024, peak / 1024, (peak - base) / 1024 }'
done

# PostgreSQL alone, to /dev/null through psql: first the same read the server does for the CSV
# export (the stored lines of actor_export_rows in id order, migration 000130), then the
# reference of the issue, a plain 10-column COPY of the actors.
copy_rate() { # label, SELECT
  local start end
  start=$(date +%s.%N)
  psql "$DATABASE_URL" -qc "\\copy ($2) TO '/dev/null' CSV HEADER"
  end=$(date +%s.%N)
  awk -v n="$count" -v a="$start" -v b="$end" -v l="$1" 'BEGIN { printf "%-8s %9d rows in %6.2f s = %9.0f rows/s (PostgreSQL alone: %s)\n", "COPY TO", n, b - a, n / (b - a), l }'
}
copy_rate "the export's read: stored lines" "SELECT csv_fixed, csv_texts FROM actor_export_rows ORDER BY actor_id"
copy_rate "10 columns" "SELECT id, slug, name, kind, country, city, ST_Y(geom), ST_X(geom), website, updated_at FROM actors WHERE status = 'published' ORDER BY id"
