#!/usr/bin/env bash
# Installs the real third-party tools the tests read our outputs with, when missing:
#   - GDAL (ogrinfo) from Debian, to open the GeoJSON export and the OGC API;
#   - frictionless (data package validation) and PyLD (JSON-LD expansion) from PyPI,
#     in a virtualenv of the project's own (var/pytools).
# Idempotent and quiet when everything is there. Prints the venv's bin directory.
set -euo pipefail

repo=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
venv="${ATLAS_PYTOOLS_VENV:-$repo/var/pytools}"
say() { printf '[test-tools] %s\n' "$*" >&2; }

if ! command -v ogrinfo >/dev/null 2>&1; then
  say "installing gdal-bin (ogrinfo)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends gdal-bin >&2
fi

if [[ ! -x "$venv/bin/frictionless" ]] || ! "$venv/bin/python" -c 'import pyld' 2>/dev/null; then
  say "installing frictionless and PyLD into $venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check 'frictionless==5.*' 'PyLD==3.*' >&2
fi

echo "$venv/bin"
