#!/usr/bin/env bash
# Starts the real pingyi-tablet under Xvfb and saves a screenshot of every screen, at 1280x800
# landscape and 800x1280 portrait, into docs/screenshots/<size>/. It runs the app's hidden
# --screenshot-tour mode against a copy of a demo tablet (pingyi demo), typing the PIN and
# real unused tokens from the demo's token lists.
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
trap 'rm -rf "$work"' EXIT
"$pingyi" demo --out "$work/demo" >/dev/null
for size in 1280x800 800x1280; do
  out="docs/screenshots/$size"
  rm -rf "$out" && mkdir -p "$out"
  rm -rf "$work/tablet" && cp -r "$work/demo/tablets/tablet-01" "$work/tablet"
  PINGYI_PIN=246810 xvfb-run -a -s "-screen 0 ${size}x24" \
    "$tablet_bin" --tablet "$work/tablet" --size "$size" \
    --screenshot-tour "$out" --tour-tokens "$work/demo/campaign/tokens"
  echo "$out: $(ls "$out" | wc -l) screenshots"
done
