#!/usr/bin/env bash
# Installs what the map tests need beyond Rust, idempotently (each step is skipped when its
# tool is already there), so `make test` works on a fresh machine:
#   - GDAL's command-line tools (Debian gdal-bin): the OGC API - Features test reads the Atlas
#     with `ogrinfo OAPIF:…`, as QGIS and GDAL users do.
#   - Chromium (Debian chromium) and playwright-core (npm, pinned in tests/browser/package.json):
#     the demo-map test loads `/` in a headless browser.
# Run as root (CI is); on a developer machine without root, install gdal-bin and chromium by hand.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
say() { printf '[test-tools] %s\n' "$*"; }

apt_packages=()
command -v ogrinfo >/dev/null 2>&1 || apt_packages+=(gdal-bin)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
if ((${#apt_packages[@]})); then
  say "apt-get install ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${apt_packages[@]}"
fi

if [[ -f tests/browser/package.json && ! -d tests/browser/node_modules/playwright-core ]]; then
  say "npm ci in tests/browser"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
say "ready: $(ogrinfo --version), $(chromium --version 2>/dev/null | head -n1), node $(node --version)"
