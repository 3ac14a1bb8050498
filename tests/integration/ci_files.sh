#!/bin/bash
# The CI files users copy pass the real validators: action.yml and the example workflow with
# @action-validator/cli (from the npm registry, cached) and SchemaStore's schemas; the GitLab
# example with GitLab's CI schema; the Tekton Task with a schema made from Tekton's API; the
# pre-commit manifest with SchemaStore's schema and `pre-commit validate-manifest`. Each validator
# is also shown a broken copy, which it must reject. And okdlint's own Containerfile passes okdlint.
set -euo pipefail
okdlint=${1:?usage: ci_files.sh /path/to/okdlint}
root=$(cd "$(dirname "$0")/../.." && pwd)
schemas=$root/tests/data/schemas
cache=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
skip() { echo "skipped: $*"; [ -z "${CI:-}" ] && exit 77; echo "FAIL: in CI nothing may be skipped" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in npm python3 pre-commit; do command -v "$tool" >/dev/null || skip "$tool is not installed (tools/setup-debian.sh)"; done
python3 -c 'import jsonschema, yaml' 2>/dev/null || skip "python3-jsonschema or python3-yaml is not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "-- @action-validator/cli (npm, cached in $cache)"
validator_version=0.6.0
validator_dir=$cache/npm-action-validator-$validator_version
validator=$validator_dir/node_modules/.bin/action-validator
if [ ! -x "$validator" ]; then
  mkdir -p "$cache"
  rm -rf "$validator_dir.part"
  npm install --no-audit --no-fund --prefix "$validator_dir.part" "@action-validator/cli@$validator_version" > "$work/npm.log" 2>&1 ||
    fail "npm install @action-validator/cli@$validator_version: $(tail -n 5 "$work/npm.log")"
  rm -rf "$validator_dir" && mv "$validator_dir.part" "$validator_dir"
fi
for f in action.yml examples/ci/github-workflow.yml; do
  "$validator" "$root/$f" > "$work/out" 2>&1 || fail "action-validator $f: $(cat "$work/out")"
done
sed 's/^  using: composite$/  using: compost/' "$root/action.yml" > "$work/action.yml"
"$validator" "$work/action.yml" > "$work/out" 2>&1 && fail "action-validator accepted an action with 'using: compost'"
sed 's/^    runs-on: /    runs_on: /' "$root/examples/ci/github-workflow.yml" > "$work/workflow.yml"
"$validator" "$work/workflow.yml" > "$work/out" 2>&1 && fail "action-validator accepted a job with runs_on"

echo "-- JSON schemas (python3-jsonschema, Draft 7)"
python3 - "$schemas" "$root" <<'EOF' || fail "schema validation"
import copy, json, sys
import jsonschema, yaml

schemas, root = sys.argv[1], sys.argv[2]

class Yaml12Loader(yaml.SafeLoader):
    """YAML as GitHub, GitLab and Kubernetes read it: only true/false are booleans, so a key
    named `on` stays the string "on" (PyYAML's YAML 1.1 would make it True)."""
Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
import re
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))

def load(path):
    with open(f"{root}/{path}", encoding="utf-8") as f:
        return yaml.load(f, Loader=Yaml12Loader)

def errors(schema, document):
    with open(f"{schemas}/{schema}", encoding="utf-8") as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(document)]

def set_path(document, path, value):
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

cases = [
    # schema, file, a change that must make it invalid
    ("github-action.json", "action.yml", (["runs", "using"], 42)),
    ("github-workflow.json", "examples/ci/github-workflow.yml", (["jobs", "okdlint", "steps"], "not a list")),
    ("gitlab-ci.json", "examples/ci/gitlab-ci.yml", (["okdlint", "artifacts", "when"], "sometimes")),
    ("tekton-task-v1.json", "examples/ci/tekton-task.yaml", (["spec", "steps", 0, "scirpt"], "echo")),
    ("pre-commit-hooks.json", ".pre-commit-hooks.yaml", ([0, "entry"], ["not", "a", "string"])),
]
failed = False
for schema, path, (mutate_path, value) in cases:
    document = load(path)
    found = errors(schema, document)
    if found:
        print(f"{path} does not match {schema}:", *found, sep="\n  ")
        failed = True
    broken = copy.deepcopy(document)
    set_path(broken, mutate_path, value)
    if not errors(schema, broken):
        print(f"{schema} accepted {path} with {mutate_path} = {value!r}")
        failed = True
    print(f"ok: {path} matches {schema}")
sys.exit(1 if failed else 0)
EOF

echo "-- pre-commit validate-manifest"
pre-commit validate-manifest "$root/.pre-commit-hooks.yaml" > "$work/out" 2>&1 ||
  fail "pre-commit validate-manifest: $(cat "$work/out")"
sed 's/^  language: system$/  language: no-such-language/' "$root/.pre-commit-hooks.yaml" > "$work/hooks.yaml"
pre-commit validate-manifest "$work/hooks.yaml" > "$work/out" 2>&1 && fail "validate-manifest accepted language: no-such-language"

echo "-- okdlint's own Containerfile passes okdlint"
"$okdlint" "$root/Containerfile" > "$work/out" 2>&1 || fail "okdlint Containerfile: $(cat "$work/out")"
echo "-- the Action's package key covers every source directory"
key_dirs=$(sed -n 's/.*hash=$(find \(.*\) -type f -print0.*/\1/p' "$root/action.yml")
[ -n "$key_dirs" ] || fail "action.yml: no package key hash found"
for dir in $(cd "$root" && git ls-files '*.cpp' '*.h' 2>/dev/null | cut -d/ -f1 | sort -u); do
  case $dir in tests|bench|tools|examples|docs|*.cpp|*.h) continue ;; esac
  [[ " $key_dirs " == *" $dir "* ]] || fail "action.yml's package key does not hash $dir/: a change there would keep a stale cached okdlint"
done
echo "ci files: all checks passed"
