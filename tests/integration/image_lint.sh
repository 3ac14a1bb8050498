#!/bin/bash
# okdlint lint on a real image full of OKD problems (tests/make_test_image.sh), in every input
# form: each must report the same rule findings and exit 1. Usage: image_lint.sh /path/to/okdlint
set -euo pipefail
OKDLINT=${1:?usage: image_lint.sh /path/to/okdlint}
HERE=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (the fixture sets file ownership, setuid bits and capabilities)"
for tool in umoci skopeo setcap python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$HERE/../make_test_image.sh" "$WORK/img" > "$WORK/fixture.log" 2>&1 || { cat "$WORK/fixture.log"; fail "fixture"; }

# Prints "RULE location" per finding, from --format json (an array of findings).
findings() {
  python3 -c '
import json, sys
data = json.load(sys.stdin)
items = data
for d in items:
    rule = d["rule"]
    loc = d.get("location") or ""
    print(rule, loc, "|", d.get("message", ""))
'
}

lint_json() {
  local input=$1 rc=0
  "$OKDLINT" --format json "$input" > "$WORK/out.json" 2> "$WORK/err.txt" || rc=$?
  [ "$rc" = 1 ] || { cat "$WORK/err.txt"; fail "$input: exit code $rc, expected 1"; }
  findings < "$WORK/out.json"
}

expect() {  # expect FINDINGS FORM PATTERN
  grep -Eq -- "$3" <<< "$1" || { echo "$1"; fail "$2: no finding matching '$3'"; }
}

for form in oci img.oci.tar img.docker.tar img.docker.tar.gz img.legacy.tar img.docker25.tar config.json inspect.json; do
  found=$(lint_json "$WORK/img/$form")
  expect "$found" "$form" '^OKD101 config.User '
  expect "$found" "$form" '^OKD201 config.ExposedPorts .*port 80/tcp'
  expect "$found" "$form" '^OKD201 config.ExposedPorts .*port 443/tcp'
  case $form in
    config.json|inspect.json)
      # No filesystem: only config findings.
      if grep -q '^OKD105' <<< "$found"; then fail "$form: filesystem finding without a filesystem"; fi ;;
    *)
      expect "$found" "$form" '^OKD302 /app'
      expect "$found" "$form" '^OKD105 /usr/bin/tool .*setuid.*capabilities'
      expect "$found" "$form" '^OKD202 /etc/nginx/.*listens on port 80'
      # The tool's hardlink and symlink are the same file: reported once.
      [ "$(grep -c '^OKD105 /usr/bin/tool' <<< "$found")" = 1 ] || { echo "$found"; fail "$form: tool reported more than once"; }
      # /tmp is 1777: fine.
      if grep -q '^OKD303 /tmp ' <<< "$found"; then fail "$form: sticky /tmp reported"; fi ;;
  esac
  echo "ok: $form"
done

# --containerfile maps config findings back to the instruction that caused them.
printf 'FROM registry.example.com/ubi9:9.4@sha256:%064d\nUSER 0\nEXPOSE 80 443\n' 0 > "$WORK/Containerfile"
rc=0
"$OKDLINT" --format json --containerfile "$WORK/Containerfile" "$WORK/img/img.oci.tar" > "$WORK/mapped.json" || rc=$?
[ "$rc" = 1 ] || fail "--containerfile: exit code $rc"
python3 - "$WORK/mapped.json" "$WORK/Containerfile" <<'PY' || fail "--containerfile mapping"
import json, sys
data = json.load(open(sys.argv[1]))
items = data
def line_of(d):
    return d["line"]
user = [d for d in items if d["rule"] == "OKD101"]
assert user and user[0]["file"] == sys.argv[2] and line_of(user[0]) == 2, user
ports = [d for d in items if d["rule"] == "OKD201" and d["file"] == sys.argv[2]]
assert len(ports) == 2 and all(line_of(d) == 3 for d in ports), ports
assert all("image" in d["message"] for d in user + ports), user + ports
PY
echo "ok: --containerfile"
