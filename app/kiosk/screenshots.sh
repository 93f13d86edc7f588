#!/usr/bin/env bash
# Starts the real pingyi-tablet under Xvfb and saves a screenshot of every screen, at 1280x800
# landscape and 800x1280 portrait, into docs/screenshots/<size>/. It runs the app's hidden
# --screenshot-tour mode against a copy of a demo tablet (pingyi demo), typing the PIN and
# real unused tokens from the demo's token lists. For the administrator's pages it starts the
# demo's collector (`pingyi collector serve` on loopback) to sync to, and lays out a "USB stick"
# folder with the demo's package, its token additions and a damaged additions file.
# Usage: app/kiosk/screenshots.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
pingyi=${PINGYI:-$build/app/pingyi}
tablet_bin="$build/app/kiosk/pingyi-tablet"
for b in "$pingyi" "$tablet_bin"; do
  [ -x "$b" ] || { echo "missing $b: build it first" >&2; exit 2; }
done
work=$(mktemp -d)
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
"$pingyi" demo --out "$work/demo" >/dev/null
mkdir -p "$work/usb"
cp "$work/demo/campaign/package.pyp" "$work/demo/campaign/additions/0001.pya" "$work/usb/"
head -c 300 "$work/demo/campaign/additions/0001.pya" >"$work/usb/broken.pya"
port=$((20000 + $$ % 10000))
for size in 1280x800 800x1280; do
  out="docs/screenshots/$size"
  rm -rf "$out" && mkdir -p "$out"
  rm -rf "$work/tablet" "$work/collector" && cp -r "$work/demo/tablets/tablet-01" "$work/tablet"
  cp -r "$work/demo/collector" "$work/collector"
  PINGYI_PASSPHRASE=demo-passphrase "$pingyi" collector serve --store "$work/collector" \
    --key "$work/demo/keys/collector.key" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q "$port" "$work/server.log" 2>/dev/null && break; sleep 0.1; done
  PINGYI_PIN=246810 xvfb-run -a -s "-screen 0 ${size}x24" \
    "$tablet_bin" --tablet "$work/tablet" --size "$size" \
    --screenshot-tour "$out" --tour-tokens "$work/demo/campaign/tokens" \
    --tour-usb "$work/usb" --tour-sync "http://127.0.0.1:$port"
  kill "$server" && wait "$server" 2>/dev/null || true
  server=""
  echo "$out: $(ls "$out" | wc -l) screenshots"
done
