#!/bin/bash
# The three speed ratios of issue 14, each beside the peer or limit it is measured against, from
# one run. Every figure is the median of RUNS (default 5) runs; wall times come from hyperfine
# (when installed and a run is under a second), CPU times (user+sys) from wait4. On a busy machine
# CPU time is the steadier figure; the goals are stated in wall time.
#   1. lint:    okdlint (one process over a corpus) vs dockerfile-utils (one warm Node process,
#               in-process time of one validate() round over the same files)      goal >= 50x
#               on the bench corpus (bench/containerfile_bench's seed files) and on a copy of
#               ../shared/corpus/files when present; plus one file vs /bin/true    goal < 5 ms
#   2. scan:    okdlint IMAGE vs igzip -d over the same gzip layers (sequential)  goal <= 1.25x
#   3. rewrite: okdlint rewrite IMAGE -o OUT vs okdlint IMAGE (the scan)          goal <= 2x
# Usage: bench/run_all.sh [BUILD_DIR] [CACHE_DIR]      (env: RUNS=5, PARTS=lint,scan,rewrite)
#   CACHE_DIR (default $OKDLINT_BENCH_CACHE or /var/cache/okdlint-bench) keeps the generated
#   image (keyed by make_big_image.sh's hash) and the npm install of dockerfile-utils.
# Needs: okdlint and containerfile_bench built in BUILD_DIR; python3, gzip; igzip (Debian isal);
# node and npm for the peer. What is missing is named and that ratio skipped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
CACHE=${2:-${OKDLINT_BENCH_CACHE:-/var/cache/okdlint-bench}}
RUNS=${RUNS:-5}
PARTS=${PARTS:-lint,scan,rewrite}  # a subset, e.g. PARTS=scan,rewrite
part() { [[ ",$PARTS," == *",$1,"* ]]; }
OKDLINT=$BUILD/okdlint
[ -x "$OKDLINT" ] || { echo "no okdlint at $OKDLINT (build it first)" >&2; exit 2; }
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=measure.sh
. "$HERE/measure.sh"
verdict() {  # verdict VALUE OP GOAL
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { ok = op == ">=" ? v >= g : v <= g; print ok ? "meets the goal" : "MISSES the goal" }'
}

echo "okdlint speed bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs per figure (medians)"
echo "okdlint: $OKDLINT ($(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown))"

# ---- 1. lint ---------------------------------------------------------------------------------
if part lint; then
echo
echo "== 1. lint: okdlint vs dockerfile-utils (goal >= 50x)"
corpora=()
if [ -x "$BUILD/bench/containerfile_bench" ]; then
  # 393 files: the seeds (tests/data, examples) cycled, each made distinct by a leading comment.
  "$BUILD/bench/containerfile_bench" --files 393 --rounds 1 --write-corpus "$WORK/bench-corpus" > /dev/null
  corpora+=("$WORK/bench-corpus")
else
  echo "  bench corpus skipped: build the containerfile_bench target"
fi
# ../shared beside the checkout (a linked worktree's is beside its main checkout), or $SHARED_CORPUS.
common=$(git -C "$HERE" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$HERE/../.git")
SHARED_CORPUS=${SHARED_CORPUS:-$(dirname "$common")/../shared/corpus/files}
if [ -d "$SHARED_CORPUS" ]; then
  mkdir -p "$WORK/shared-corpus"
  i=0
  while IFS= read -r -d '' f; do cp "$f" "$WORK/shared-corpus/f$((i++)).Dockerfile"; done \
    < <(find "$SHARED_CORPUS" -type f -print0 | sort -z)
  corpora+=("$WORK/shared-corpus")
else
  echo "  ../shared/corpus/files absent: only the bench corpus"
fi

du_ok=0
if command -v node > /dev/null && command -v npm > /dev/null; then
  if [ ! -f "$CACHE/npm/node_modules/dockerfile-utils/package.json" ]; then
    mkdir -p "$CACHE/npm"
    (cd "$CACHE/npm" && { [ -f package.json ] || npm init -y > /dev/null; } && npm install --silent dockerfile-utils > /dev/null) \
      && du_ok=1 || echo "  dockerfile-utils: npm install failed, peer skipped"
  else
    du_ok=1
  fi
else
  echo "  dockerfile-utils: node/npm not installed, peer skipped"
fi
cat > "$WORK/du.js" <<'JS'
// One warm Node process: read every file, one warm-up round (JIT), then ROUNDS timed rounds of
// validate() over all files; prints each round's wall and CPU (user+sys) milliseconds.
const fs = require('fs'), path = require('path');
const du = require(process.argv[2]);
const dir = process.argv[3], rounds = Number(process.argv[4]);
const texts = fs.readdirSync(dir).sort().map(f => fs.readFileSync(path.join(dir, f), 'utf8'));
let n = 0;
for (const t of texts) n += du.validate(t).length;
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  for (const t of texts) n += du.validate(t).length;
  const c = process.cpuUsage(c0);
  console.log(Number(process.hrtime.bigint() - t0) / 1e6, (c.user + c.system) / 1e3);
}
if (n < 0) console.log(n);
JS
for corpus in "${corpora[@]}"; do
  files=$(find "$corpus" -type f | wc -l)
  echo " corpus $(basename "$corpus"): $files files, $(du -sh "$corpus" | cut -f1)"
  measure "okdlint --format json DIR (whole process)" "$OKDLINT" --format json "$corpus"
  okd_wall=$WALL okd_cpu=$CPU
  if [ "$du_ok" = 1 ]; then
    node "$WORK/du.js" "$CACHE/npm/node_modules/dockerfile-utils" "$corpus" "$RUNS" > "$WORK/du.txt"
    du_ms=$(awk '{ print $1 }' "$WORK/du.txt" | median)
    du_cpu_ms=$(awk '{ print $2 }' "$WORK/du.txt" | median)
    du_version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
      "$CACHE/npm/node_modules/dockerfile-utils/package.json")
    printf '  %-44s wall %9.2f ms   cpu %9.2f ms   (in-process, warm: one validate() round)\n' \
      "dockerfile-utils $du_version" "$du_ms" "$du_cpu_ms"
    r=$(ratio "$(awk -v m="$du_ms" 'BEGIN { print m / 1000 }')" "$okd_wall")
    rc=$(ratio "$(awk -v m="$du_cpu_ms" 'BEGIN { print m / 1000 }')" "$okd_cpu")
    echo "  RATIO lint $(basename "$corpus"): dockerfile-utils / okdlint = ${r}x wall, ${rc}x CPU: $(verdict "$r" ">=" 50)"
  fi
done
one=$HERE/../examples/python-api/Containerfile
if [ -f "$one" ]; then
  echo " one file ($(basename "$(dirname "$one")")/Containerfile), process start to exit"
  measure "/bin/true" /bin/true
  true_wall=$WALL true_cpu=$CPU
  measure "okdlint --format json FILE" "$OKDLINT" --format json "$one"
  extra=$(awk -v a="$WALL" -v b="$true_wall" 'BEGIN { printf "%.2f", (a - b) * 1000 }')
  extra_cpu=$(awk -v a="$CPU" -v b="$true_cpu" 'BEGIN { printf "%.2f", (a - b) * 1000 }')
  echo "  LIMIT one file: ${extra} ms wall (${extra_cpu} ms CPU) above /bin/true: $(verdict "$extra" "<=" 5)"
fi
fi
part scan || part rewrite || exit 0

# ---- the big image ----------------------------------------------------------------------------
key=$(sha256sum "$HERE/make_big_image.sh" | cut -c1-16)
IMAGE_DIR=$CACHE/big-image-$key
if [ ! -f "$IMAGE_DIR/big.oci.tar" ]; then
  echo
  echo "== generating the big image once into $IMAGE_DIR (cached)"
  bash "$HERE/make_big_image.sh" "$IMAGE_DIR.tmp" | sed 's/^/  /'
  rm -rf "$IMAGE_DIR"
  mv "$IMAGE_DIR.tmp" "$IMAGE_DIR"
fi
IMAGE=$IMAGE_DIR/big.oci.tar
mapfile -t LAYERS < <(python3 - "$IMAGE_DIR/layout" <<'PY'
import json, os, sys
layout = sys.argv[1]
index = json.load(open(os.path.join(layout, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
manifest = json.load(open(os.path.join(layout, "blobs", "sha256", digest)))
for layer in manifest["layers"]:
    print(os.path.join(layout, "blobs", "sha256", layer["digest"].split(":")[1]))
PY
)
cat "$IMAGE" "${LAYERS[@]}" > /dev/null  # the page cache holds every input before any contender runs
uncompressed=$(for l in "${LAYERS[@]}"; do igzip -d -c "$l" 2>/dev/null || gzip -d -c "$l"; done | wc -c)
echo
echo "image: $IMAGE, $(du -h "$IMAGE" | cut -f1) as an oci-archive, ${#LAYERS[@]} gzip layers, $((uncompressed / 1000000)) MB uncompressed"

# ---- 2. scan (the rewrite's reference too) ------------------------------------------------------
echo
echo "== 2. image scan: okdlint IMAGE vs igzip -d over the same layers (goal <= 1.25x igzip wall, rss <= 64 MB)"
printf '#!/bin/sh\nfor layer in "$@"; do igzip -d -c "$layer" > /dev/null || exit 1; done\n' > "$WORK/igzip_all.sh"
if part scan && command -v igzip > /dev/null; then
  measure "igzip -d -c each layer (sequential)" sh "$WORK/igzip_all.sh" "${LAYERS[@]}"
  igzip_wall=$WALL igzip_cpu=$CPU
fi
measure "okdlint --format json IMAGE (scan + lint)" "$OKDLINT" --format json "$IMAGE"
scan_wall=$WALL scan_cpu=$CPU scan_rss=$RSS
if part scan && command -v igzip > /dev/null; then
  r=$(ratio "$scan_wall" "$igzip_wall")
  echo "  RATIO scan: okdlint / igzip = ${r}x wall ($(ratio "$scan_cpu" "$igzip_cpu")x CPU), peak rss ${scan_rss} MB: $(verdict "$r" "<=" 1.25)"
elif part scan; then
  echo "  igzip not installed (Debian package isal): scan ratio skipped"
fi

# ---- 3. rewrite --------------------------------------------------------------------------------
part rewrite || exit 0
echo
echo "== 3. rewrite: okdlint rewrite IMAGE -o OUT vs the scan (goal <= 2x)"
measure "okdlint rewrite IMAGE -o OUT" "$OKDLINT" rewrite "$IMAGE" -o "$WORK/out.oci.tar"
rewrite_wall=$WALL rewrite_cpu=$CPU
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/out.oci.tar" 2>&1 | grep -i 'okdlint rewrite:\|wrote' | head -3 | sed 's/^/  /' || true
r=$(ratio "$rewrite_wall" "$scan_wall")
echo "  RATIO rewrite: rewrite / scan = ${r}x wall ($(ratio "$rewrite_cpu" "$scan_cpu")x CPU): $(verdict "$r" "<=" 2)"
