#!/bin/bash
# Image-scan figures beside the tools a user would compare with, on the same layer blobs:
#   igzip -d -c LAYER > /dev/null   (decompression alone, one core)
#   bsdtar -tzf LAYER               (decompress + list, one core)
#   image_scan_bench                (hash both sides + decompress + list + merge; 1 thread, all cores)
# Usage: run_image_bench.sh DIR [BENCH_BINARY]   DIR holds (or receives) make_big_image.sh output.
set -euo pipefail
DIR=${1:?usage: run_image_bench.sh DIR [path/to/image_scan_bench]}
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=${2:-$HERE/../build/bench/image_scan_bench}
[ -x "$BENCH" ] || { echo "no bench binary at $BENCH (build target image_scan_bench)" >&2; exit 2; }
[ -f "$DIR/big.oci.tar" ] || bash "$HERE/make_big_image.sh" "$DIR"

mapfile -t LAYERS < <(python3 - "$DIR/layout" <<'PY'
import json, os, sys
layout = sys.argv[1]
index = json.load(open(os.path.join(layout, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
manifest = json.load(open(os.path.join(layout, "blobs", "sha256", digest)))
for layer in manifest["layers"]:
    print(os.path.join(layout, "blobs", "sha256", layer["digest"].split(":")[1]))
PY
)
cat "$DIR/big.oci.tar" "${LAYERS[@]}" > /dev/null  # warm the page cache for every contender

seconds() {  # run "$@"; print wall and CPU (user+sys) seconds: CPU is what counts on a busy machine
  local TIMEFORMAT='wall=%3R s  cpu=%3U+%3S s'
  { time "$@" ; } 2>&1
}
igzip_all() { for layer in "${LAYERS[@]}"; do igzip -d -c "$layer" > /dev/null; done; }
bsdtar_all() { for layer in "${LAYERS[@]}"; do bsdtar -tzf "$layer" > /dev/null; done; }

echo "image: $DIR/big.oci.tar ($(du -h "$DIR/big.oci.tar" | cut -f1)), ${#LAYERS[@]} gzip layers, $(nproc) cores"
if command -v igzip > /dev/null; then echo "igzip -d -c (sequential):  $(seconds igzip_all)"; fi
if command -v bsdtar > /dev/null; then echo "bsdtar -tzf (sequential): $(seconds bsdtar_all)"; fi
"$BENCH" "$DIR/big.oci.tar" 1 0
