#!/bin/sh
# Container entrypoint for the `atlas` image.
#   no arguments     -> atlas migrate, atlas seed (idempotent), then exec atlas serve
#   any arguments    -> exec atlas <arguments>   (e.g. `docker compose run api openapi`)
set -eu

if [ "$#" -gt 0 ]; then
  exec atlas "$@"
fi

echo "[entrypoint] atlas migrate"
atlas migrate
echo "[entrypoint] atlas seed --dir ${ATLAS_SEED_DIR:-/app/seed-data} (shared data: ${ATLAS_SHARED_DATA:-unset})"
atlas seed --dir "${ATLAS_SEED_DIR:-/app/seed-data}"
echo "[entrypoint] atlas serve on ${ATLAS_ADDR:-0.0.0.0:8080}"
exec atlas serve
