#!/bin/bash
# okdlint rewrite beside the scan of the same big image: wall, CPU and peak RSS for each, plus the
# same pair through the okdlint CLI under /usr/bin/time. CPU time is the figure to compare on a
# shared machine; wall time also measures the disk (OUT is written and fsynced) and the neighbours.
# Usage: run_rewrite_bench.sh DIR [BUILD_DIR]   DIR holds (or receives) bench/make_big_image.sh output.
set -euo pipefail
DIR=${1:?usage: run_rewrite_bench.sh DIR [BUILD_DIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${2:-$HERE/../build}
BENCH=$BUILD/bench/image_rewrite_bench
OKDLINT=$BUILD/okdlint
[ -x "$BENCH" ] || { echo "no bench binary at $BENCH (build target image_rewrite_bench)" >&2; exit 2; }
[ -f "$DIR/big.oci.tar" ] || bash "$HERE/make_big_image.sh" "$DIR"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat "$DIR/big.oci.tar" > /dev/null  # warm the page cache for every run

echo "image: $DIR/big.oci.tar ($(du -h "$DIR/big.oci.tar" | cut -f1)), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
"$BENCH" "$DIR/big.oci.tar" "$OUT"
if [ -x "$OKDLINT" ] && [ -x /usr/bin/time ]; then
  /usr/bin/time -f "okdlint IMAGE (lint)        wall=%e s  cpu=%U+%S s  peak_rss=%M KB" "$OKDLINT" "$DIR/big.oci.tar" > /dev/null || true
  /usr/bin/time -f "okdlint rewrite IMAGE -o OUT wall=%e s  cpu=%U+%S s  peak_rss=%M KB" \
    "$OKDLINT" rewrite "$DIR/big.oci.tar" -o "$OUT/cli.oci.tar" 2>&1 | grep -v '^  \|^okdlint: wrote' || true
fi
