#!/usr/bin/env bash
# Measures the real pingyi-tablet under Xvfb (llvmpipe): start to first frame, RSS after the
# first frame, frame time on a subject page (mean and worst of 120), and idle CPU over 10 s.
# Targets: first frame <= 400 ms, RSS <= 160 MB, frame <= 16 ms, idle CPU < 1 %.
# Usage: app/kiosk/bench.sh [BUILD_DIR] [WxH]   (defaults: build 1280x800)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
size=${2:-1280x800}
work=$(mktemp -d)
pid=""
xpid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"${PINGYI:-$build/app/pingyi}" demo --out "$work/demo" >/dev/null
cp -r "$work/demo/tablets/tablet-01" "$work/tablet"
Xvfb :93 -screen 0 "${size}x24" >/dev/null 2>&1 &
xpid=$!
trap 'kill "$pid" "$xpid" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
DISPLAY=:93 PINGYI_PIN=246810 "$build/app/kiosk/pingyi-tablet" --tablet "$work/tablet" \
  --size "$size" --bench --tour-tokens "$work/demo/campaign/tokens" >"$work/out.json" &
pid=$!
for _ in $(seq 100); do [ -s "$work/out.json" ] && break; sleep 0.2; done
sleep 1 # let the last frames settle; from here on nothing changes on screen
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep 10
t1=$(ticks)
idle=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", 100 * (b - a) / hz / 10 }')
rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
sed -e "s/}$/, \"idle_cpu_percent_10s\": $idle, \"rss_idle_mib\": $rss, \"size\": \"$size\"}/" "$work/out.json"
