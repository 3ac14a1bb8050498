#!/bin/bash
# README.md shows examples/python-api/Containerfile before and after `okdlint fix --unsafe-fixes`;
# this keeps that text true: the "before" block is the example, the "after" block is what the
# fix prints today, and the fixed text lints clean.
set -euo pipefail
okdlint=${1:?usage: readme_example.sh /path/to/okdlint}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - README.md "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text.split("## Before and after", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```dockerfile\n(.*?)```", section, re.S)
assert len(blocks) == 2, f"expected a before and an after block, found {len(blocks)}"
open(sys.argv[2] + "/before", "w").write(blocks[0])
open(sys.argv[2] + "/after", "w").write(blocks[1])
PY
cmp "$work/before" examples/python-api/Containerfile || { echo "FAIL: README 'before' differs from the example" >&2; exit 1; }
"$okdlint" fix --unsafe-fixes examples/python-api/Containerfile 2>/dev/null > "$work/fixed"
diff -u "$work/after" "$work/fixed" || { echo "FAIL: README 'after' differs from okdlint fix output" >&2; exit 1; }
"$okdlint" --stdin-filename Containerfile - < "$work/fixed" || { echo "FAIL: the fixed example does not lint clean" >&2; exit 1; }
echo "readme_example: README before/after match okdlint"
