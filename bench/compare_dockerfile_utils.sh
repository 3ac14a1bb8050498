#!/bin/bash
# okdlint beside npm dockerfile-utils (the linter behind VS Code's Dockerfile support) on the same
# corpus: both lint every file in one warm process, several rounds; then okdlint's whole-process
# time on one file. Prints figures only.
#   bench/compare_dockerfile_utils.sh BUILD_DIR [NODE_MODULES_PARENT]
# dockerfile-utils is installed with npm into NODE_MODULES_PARENT (default: a temp dir) when absent;
# the comparison is skipped, with the reason, when npm or node is missing.
set -euo pipefail
build=${1:?usage: compare_dockerfile_utils.sh BUILD_DIR [NODE_MODULES_PARENT]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rounds=10
"$build/bench/containerfile_bench" --files 400 --rounds "$rounds" --write-corpus "$work/corpus" | tee "$work/okdlint.txt"
okd_fps=$(sed -n 's/^lint (parse+model+all rules): .* MB\/s, \([0-9.]*\) files\/s.*/\1/p' "$work/okdlint.txt")

echo "== whole process, one file (examples/python-api/Containerfile), 200 runs"
file=$(dirname "$0")/../examples/python-api/Containerfile
start=$(date +%s%N)
for _ in $(seq 200); do "$build/okdlint" --format json "$file" >/dev/null || true; done
end=$(date +%s%N)
echo "okdlint one file: $(( (end - start) / 200000 )) us per run (process start to exit)"

modules=${2:-$work/npm}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "dockerfile-utils comparison skipped: node/npm not installed"; exit 0
fi
if [ ! -d "$modules/node_modules/dockerfile-utils" ]; then
  mkdir -p "$modules"
  (cd "$modules" && npm init -y >/dev/null && npm install --silent dockerfile-utils >/dev/null) ||
    { echo "dockerfile-utils comparison skipped: npm install failed"; exit 0; }
fi
cat > "$work/du.js" <<JS
const fs = require('fs');
const path = require('path');
const du = require('$modules/node_modules/dockerfile-utils');
const dir = process.argv[2], rounds = Number(process.argv[3]);
const texts = fs.readdirSync(dir).map(f => fs.readFileSync(path.join(dir, f), 'utf8'));
let n = 0;
for (const t of texts) n += du.validate(t).length;  // warm-up round (JIT)
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) for (const t of texts) n += du.validate(t).length;
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log('dockerfile-utils ' + require('$modules/node_modules/dockerfile-utils/package.json').version +
            ': ' + (texts.length * rounds / s).toFixed(0) + ' files/s (' + n + ' diagnostics)');
JS
node "$work/du.js" "$work/corpus" "$rounds" | tee "$work/du.txt"
du_fps=$(sed -n 's/.*: \([0-9.]*\) files\/s.*/\1/p' "$work/du.txt")
awk -v a="$okd_fps" -v b="$du_fps" 'BEGIN { printf "okdlint / dockerfile-utils: %.1fx\n", a / b }'
