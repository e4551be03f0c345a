#!/usr/bin/env bash
# Installs the system packages mydia-tui needs, skipping what is already present.
# Idempotent and quiet: prints one line per package it installs, nothing when all are there.
set -euo pipefail

packages=(libsodium-dev libncurses-dev libqrencode-dev pkg-config ffmpeg mpv tmux sqlite3 nftables iproute2 openssl python3 python3-zeroconf)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
