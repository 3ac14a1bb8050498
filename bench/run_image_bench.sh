#!/bin/bash
# Image-scan figures beside igzip on the same layer blobs, for the whole image (several layers,
# scanned in parallel) and for its first layer alone (one OCI layout holding only that layer), each
# the median of RUNS (default 5) runs, wall and CPU (user+sys) time of the whole process:
#   igzip -d -c LAYER > /dev/null  (decompression alone, one core, layers one after the other)
#   okdlint --format json IMAGE    (hash both sides + decompress + list + merge + lint)
# then image_scan_bench's in-process figures (1 worker, all cores; MB/s, peak RSS).
# On a busy machine the CPU figures are the steadier ones; the goal (issue 14) is stated in wall time.
# Usage: run_image_bench.sh DIR [BUILD_DIR]   DIR holds (or receives) make_big_image.sh output.
set -euo pipefail
DIR=${1:?usage: run_image_bench.sh DIR [BUILD_DIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${2:-$HERE/../build}" && pwd)
RUNS=${RUNS:-5}
OKDLINT=$BUILD/okdlint
BENCH=$BUILD/bench/image_scan_bench
[ -x "$OKDLINT" ] || { echo "no okdlint at $OKDLINT" >&2; exit 2; }
command -v igzip > /dev/null || { echo "needs igzip (Debian package isal)" >&2; exit 2; }
[ -f "$DIR/big.oci.tar" ] || bash "$HERE/make_big_image.sh" "$DIR"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The layer blobs, and a one-layer OCI layout (hard links to the first layer and a new config).
mapfile -t LAYERS < <(python3 - "$DIR/layout" "$WORK/one" <<'PY'
import hashlib, json, os, sys
layout, one = sys.argv[1], sys.argv[2]
blobs = os.path.join(layout, "blobs", "sha256")
def load(digest):
    return json.load(open(os.path.join(blobs, digest.split(":")[1])))
manifest = load(json.load(open(os.path.join(layout, "index.json")))["manifests"][0]["digest"])
config = load(manifest["config"]["digest"])
for layer in manifest["layers"]:
    print(os.path.join(blobs, layer["digest"].split(":")[1]))
os.makedirs(os.path.join(one, "blobs", "sha256"))
def put(obj):
    data = json.dumps(obj).encode()
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(one, "blobs", "sha256", digest), "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
first = manifest["layers"][0]
os.link(os.path.join(blobs, first["digest"].split(":")[1]), os.path.join(one, "blobs", "sha256", first["digest"].split(":")[1]))
config["rootfs"]["diff_ids"] = config["rootfs"]["diff_ids"][:1]
c = put(config)
m = put({"schemaVersion": 2, "mediaType": manifest["mediaType"],
         "config": dict(c, mediaType=manifest["config"]["mediaType"]), "layers": [first]})
json.dump({"schemaVersion": 2, "manifests": [dict(m, mediaType=manifest["mediaType"])]},
          open(os.path.join(one, "index.json"), "w"))
open(os.path.join(one, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
)
cat "$DIR/big.oci.tar" "${LAYERS[@]}" > /dev/null  # warm the page cache for every contender

# shellcheck source=measure.sh
. "$HERE/measure.sh"
printf '#!/bin/sh\nfor layer in "$@"; do igzip -d -c "$layer" > /dev/null || exit 1; done\n' > "$WORK/igzip_all.sh"

echo "image: $DIR/big.oci.tar ($(du -h "$DIR/big.oci.tar" | cut -f1)), ${#LAYERS[@]} gzip layers; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $RUNS"
echo " one layer ($(du -h "${LAYERS[0]}" | cut -f1) gzip)"
measure "igzip -d -c LAYER" igzip -d -c "${LAYERS[0]}"
iw=$WALL ic=$CPU
measure "okdlint --format json ONE-LAYER-LAYOUT" "$OKDLINT" --format json "$WORK/one"
echo "  RATIO one layer: okdlint / igzip = $(ratio "$WALL" "$iw")x wall, $(ratio "$CPU" "$ic")x CPU, peak rss $RSS MB"
echo " all ${#LAYERS[@]} layers"
measure "igzip -d -c each layer (sequential)" sh "$WORK/igzip_all.sh" "${LAYERS[@]}"
iw=$WALL ic=$CPU
measure "okdlint --format json IMAGE" "$OKDLINT" --format json "$DIR/big.oci.tar"
echo "  RATIO all layers: okdlint / igzip = $(ratio "$WALL" "$iw")x wall, $(ratio "$CPU" "$ic")x CPU, peak rss $RSS MB"
if [ -x "$BENCH" ]; then
  echo " image_scan_bench (in process, one run each)"
  "$BENCH" "$DIR/big.oci.tar" 1 0 | sed 's/^/  /'
fi
