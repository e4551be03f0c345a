#!/usr/bin/env bash
# Installs the system packages mydia-tui needs, skipping what is already present.
# Idempotent and quiet: prints one line per package it installs, nothing when all are there.
set -euo pipefail

# libcurl4-openssl-dev: the static release link of FoundationNetworking (URLSession fetches
# absolute poster URLs over HTTPS) needs -lcurl.
packages=(libsodium-dev libncurses-dev libqrencode-dev libchafa-dev libglib2.0-dev chafa libjpeg62-turbo-dev libpng-dev libwebp-dev libcurl4-openssl-dev pkg-config ffmpeg mpv tmux sqlite3 nftables iproute2 openssl python3 python3-zeroconf postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo=""
if [ "$(id -u)" -ne 0 ] && [ ${#missing[@]} -gt 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# graphql-core 3.2 validates every GraphQL document against stock Mydia's schema in the tests
# (scripts/stock-schema-check.py). Debian's python3-graphql-core is the 2.x API, so it comes from PyPI.
if ! python3 -c 'import graphql, sys; sys.exit(0 if graphql.version_info >= (3, 2) else 1)' 2>/dev/null; then
  echo "deps: installing graphql-core 3.2 (PyPI)"
  python3 -m pip --version >/dev/null 2>&1 || $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  python3 -m pip install --quiet 'graphql-core>=3.2,<3.3' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'graphql-core>=3.2,<3.3'
fi
