#!/usr/bin/env bash
# Measures the real pingyi-tablet under Xvfb (llvmpipe) with bench/bench_kiosk: start to first
# frame, RSS after the first frame, frame time on a subject page, and idle CPU over 10 s, each
# against a bare SDL2 + OpenGL (+ ImGui) window measured in the same run (bench/README.md).
# Targets: first frame <= 400 ms, RSS <= 160 MB, frame <= 16 ms, idle CPU < 1 %.
# Usage: app/kiosk/bench.sh [BUILD_DIR] [WxH] [bench_kiosk options, e.g. --compare]
#        (defaults: build 1280x800)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
size=${2:-1280x800}
shift $(($# > 2 ? 2 : $#))
[ -x "$build/bench/bench_kiosk" ] || { echo "missing $build/bench/bench_kiosk: build it" >&2; exit 2; }
xvfb-run -a -s "-screen 0 ${size}x24" "$build/bench/bench_kiosk" --size "$size" \
  --tablet-bin "$build/app/kiosk/pingyi-tablet" --pingyi "${PINGYI:-$build/app/pingyi}" "$@"
