#!/usr/bin/env bash
# Installs the real third-party tools the tests read our outputs with, idempotently (each
# step is skipped when its tool is already there), so `make test` works on a fresh machine:
#   - GDAL's command-line tools (Debian gdal-bin): the GeoJSON export and the OGC API are
#     read with `ogrinfo`, as QGIS and GDAL users do;
#   - Chromium (Debian chromium) and playwright-core (npm, pinned in tests/browser/package.json):
#     the demo-map test loads `/` in a headless browser;
#   - frictionless (data package validation) and PyLD (JSON-LD expansion) from PyPI, in a
#     virtualenv of the project's own (var/pytools).
# Run as root (CI is). Messages go to stderr; stdout is the virtualenv's bin directory.
set -euo pipefail
repo=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
venv="${ATLAS_PYTOOLS_VENV:-$repo/var/pytools}"
say() { printf '[test-tools] %s\n' "$*" >&2; }

apt_packages=()
command -v ogrinfo >/dev/null 2>&1 || apt_packages+=(gdal-bin)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
if ((${#apt_packages[@]})); then
  say "apt-get install ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${apt_packages[@]}" >&2
fi

if [[ -f tests/browser/package.json && ! -d tests/browser/node_modules/playwright-core ]]; then
  say "npm ci in tests/browser"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

if [[ ! -x "$venv/bin/frictionless" ]] || ! "$venv/bin/python" -c 'import pyld' 2>/dev/null; then
  say "installing frictionless and PyLD into $venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check 'frictionless==5.*' 'PyLD==3.*' >&2
fi

say "ready: $(ogrinfo --version), $(chromium --version 2>/dev/null | head -n1), node $(node --version)"
echo "$venv/bin"
