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

# A tiny runner (fork, exec, wait4): the rusage is the command's alone, in microseconds.
cat > "$WORK/runner.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char** argv) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return 1;  /* okdlint exits 1 on findings */
  printf("%.6f %.6f %ld\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
         ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss);
  return 0;
}
C
cc -O2 -o "$WORK/runner" "$WORK/runner.c"
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
measure() {  # measure NAME CMD...: sets WALL CPU (medians, s) and RSS (max, MB)
  local name=$1
  shift
  : > "$WORK/t"
  for _ in $(seq "$RUNS"); do "$WORK/runner" "$@" >> "$WORK/t" || { echo "failed: $*" >&2; exit 1; }; done
  WALL=$(awk '{ print $1 }' "$WORK/t" | median)
  CPU=$(awk '{ print $2 }' "$WORK/t" | median)
  RSS=$(awk '{ print $3 / 1024 }' "$WORK/t" | sort -g | tail -1)
  printf '  %-40s wall %8.3f s   cpu %8.3f s   peak rss %7.1f MB\n' "$name" "$WALL" "$CPU" "$RSS"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
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
