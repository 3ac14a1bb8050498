#!/bin/bash
# --resolve-bases against Debian's docker-registry on 127.0.0.1 (TLS with a CA this test makes,
# htpasswd Basic auth). Base images are written with umoci (configs only: User 65532, EXPOSE 80,
# a root one) and pushed with skopeo. Asserts: a base whose config says User 65532 makes a file
# without USER not OKD102 (and it is without --resolve-bases); a base exposing 80/tcp makes
# `USER 1001` report OKD201; a Docker Hub name is read through the proxy; a second run with the
# registry stopped gives the same findings from the cache; a fresh tag answer is used without
# asking the registry, an expired one (OKDLINT_BASE_CACHE_TTL) is fetched again; a damaged cache
# entry is ignored and fetched again; a base that cannot be resolved is one warning line, not
# exit 2; `fix --resolve-bases` uses the same facts; --resolve-bases=cached and git hooks never
# touch the network.
# Usage: base_resolution.sh OKDLINT
set -euo pipefail
OKDLINT=${1:?usage: base_resolution.sh /path/to/okdlint}
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL (CI): $*" >&2; exit 1; fi
  echo "SKIP: $*"; exit 77
}
for tool in skopeo umoci openssl htpasswd docker-registry curl git; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
PY=/usr/bin/python3
# shellcheck source=../support/tls_registry.sh
. "$(dirname "$0")/../support/tls_registry.sh"

WORK=$(mktemp -d)
REG_PID=
cleanup() {
  [ -n "$REG_PID" ] && { kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }
sk() { skopeo "${POLICY[@]}" "$@"; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "--- a CA, a server certificate for 127.0.0.1, a user"
make_test_ca "$WORK/ca"
htpasswd -Bbn okd s3cret-pass > "$WORK/htpasswd" 2>/dev/null

PORT=$(free_port)
REG=127.0.0.1:$PORT
start_registry() {
  start_tls_registry "$WORK/registry" "$REG" "auth:
  htpasswd:
    realm: okdlint-test
    path: $WORK/htpasswd"
  REG_PID=$REGISTRY_PID
}
stop_registry() {
  kill "$REG_PID"; wait "$REG_PID" 2>/dev/null || true; REG_PID=
  ! curl -s --cacert "$WORK/ca/ca.crt" -o /dev/null "https://$REG/v2/" || fail "the registry still answers"
}
start_registry

echo "--- base images (configs written with umoci), pushed with skopeo"
LAYOUT=$WORK/oci
umoci init --layout "$LAYOUT"
# image TAG umoci-config-args...: an image with one small layer and the given config.
image() {
  local tag=$1; shift
  umoci new --image "$LAYOUT:$tag"
  mkdir -p "$WORK/rootfs-$tag/etc"
  echo "$tag" > "$WORK/rootfs-$tag/etc/base-name"
  umoci insert --rootless --image "$LAYOUT:$tag" "$WORK/rootfs-$tag/etc" /etc
  umoci config --image "$LAYOUT:$tag" "$@"
}
image nonroot --config.user 65532 --config.env APP_ROOT=/opt/app-root --config.workingdir /opt/app-root/src
image web --config.exposedports 80/tcp --config.user 0
image rootbase --config.cmd /bin/sh
push() { sk copy --quiet --dest-cert-dir "$WORK/certs" --dest-creds okd:s3cret-pass "oci:$LAYOUT:$1" "docker://$REG/$2" || fail "push $2"; }
push nonroot x/nonroot:1
push web x/web:1
push nonroot base/library/okdtestapp:2   # a Docker Hub name as the proxy serves it
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf okd:s3cret-pass | base64 -w0)" > "$WORK/auth.json"

export XDG_CACHE_HOME=$WORK/cache
CACHE=$XDG_CACHE_HOME/okdlint/bases
REGFLAGS=(--cert-dir "$WORK/certs" --authfile "$WORK/auth.json" --proxy "$REG/base")
mkdir -p "$WORK/src"
cd "$WORK/src"
printf 'FROM %s/x/nonroot:1\nCOPY app.py ${APP_ROOT}/src/\nCMD ["python3", "app.py"]\n' "$REG" > nonroot.Containerfile
printf 'FROM %s/x/web:1\nCOPY site/ /usr/share/www/\nUSER 1001\n' "$REG" > web.Containerfile
printf 'FROM okdtestapp:2\nCMD ["/app"]\n' > hub.Containerfile

# run NAME ARGS...: okdlint --format json ARGS > NAME.json, stderr in NAME.err; exit code in $status.
run() {
  local name=$1; shift
  set +e
  "$OKDLINT" --format json "$@" > "$WORK/$name.json" 2> "$WORK/$name.err"
  status=$?
  set -e
  [ "$status" -le 1 ] || { cat "$WORK/$name.err" >&2; fail "$name: exit $status"; }
}
# findings NAME: "RULE line: message" per finding, sorted.
findings() {
  "$PY" -c 'import json,sys
doc=json.load(open(sys.argv[1])); items=doc["diagnostics"] if isinstance(doc,dict) else doc
for d in sorted(items, key=lambda d:(d["rule"], d["message"])): print(d["rule"], d["message"])' "$WORK/$1.json"
}
has() { findings "$1" > "$WORK/$1.txt"; grep -q -- "$2" "$WORK/$1.txt" || { cat "$WORK/$1.txt" "$WORK/$1.err"; fail "$1: no '$2'"; }; }
lacks() { findings "$1" > "$WORK/$1.txt"; ! grep -q -- "$2" "$WORK/$1.txt" || { cat "$WORK/$1.txt"; fail "$1: unexpected '$2'"; }; }
manifest_gets() { grep -c "\"GET /v2/$1/manifests/" "$WORK/registry/registry.log" || true; }

echo "--- without --resolve-bases: cautious, and the message says the base was not resolved"
run plain nonroot.Containerfile web.Containerfile "${REGFLAGS[@]}"
has plain "OKD102 .*the base was not resolved"
lacks plain "OKD201"
[ ! -e "$CACHE" ] || fail "the cache was written without --resolve-bases"
[ "$(manifest_gets x/nonroot)" = 0 ] || fail "a lint without --resolve-bases asked the registry"

echo "--- --resolve-bases: facts from the registry"
run resolved nonroot.Containerfile web.Containerfile hub.Containerfile --resolve-bases "${REGFLAGS[@]}"
[ ! -s "$WORK/resolved.err" ] || { cat "$WORK/resolved.err"; fail "warnings while resolving"; }
lacks resolved "OKD102"
has resolved "OKD201 base image $REG/x/web:1 exposes port 80 (read from the registry), but the final stage runs as USER 1001"
findings resolved
[ "$(manifest_gets base/library/okdtestapp)" -ge 1 ] || fail "the Docker Hub base was not read through the proxy"
ls "$CACHE"/refs/*.json > /dev/null && ls "$CACHE"/configs/sha256/* > /dev/null || fail "nothing cached"
[ -z "$(find "$CACHE" -name '.tmp-*')" ] || fail "temporary files left in the cache"
echo "cached: $(ls "$CACHE/refs" | wc -l) references, $(ls "$CACHE/configs/sha256" | wc -l) configs"
echo "resolve-bases: true in .okdlint.yaml does the same"
echo 'resolve-bases: true' > .okdlint.yaml
run configured nonroot.Containerfile web.Containerfile hub.Containerfile "${REGFLAGS[@]}"
[ "$(findings configured)" = "$(findings resolved)" ] || fail "resolve-bases: true differs from --resolve-bases"
rm .okdlint.yaml

echo "okdlint fix sees the same facts: no USER added over a non-root base"
"$OKDLINT" fix --diff --resolve-bases "${REGFLAGS[@]}" nonroot.Containerfile > "$WORK/fix-resolved.diff" 2> "$WORK/fix.err" || true
[ ! -s "$WORK/fix-resolved.diff" ] || { cat "$WORK/fix-resolved.diff"; fail "fix --resolve-bases changed a file over a non-root base"; }
"$OKDLINT" fix --diff "${REGFLAGS[@]}" nonroot.Containerfile > "$WORK/fix-plain.diff" 2> "$WORK/fix.err" || true
grep -q '^+USER 1001' "$WORK/fix-plain.diff" || { cat "$WORK/fix-plain.diff" "$WORK/fix.err"; fail "fix without --resolve-bases adds no USER"; }

echo "--- within the TTL the cache answers: the registry is not asked"
gets=$(manifest_gets x/nonroot)
run again nonroot.Containerfile web.Containerfile hub.Containerfile --resolve-bases "${REGFLAGS[@]}"
[ "$(manifest_gets x/nonroot)" = "$gets" ] || fail "a cached tag was fetched again within its TTL"
[ "$(findings again)" = "$(findings resolved)" ] || fail "the cached run differs"

echo "--- the registry stopped: the same findings from the cache"
stop_registry
run offline nonroot.Containerfile web.Containerfile hub.Containerfile --resolve-bases "${REGFLAGS[@]}"
[ ! -s "$WORK/offline.err" ] || { cat "$WORK/offline.err"; fail "warnings with a warm cache"; }
[ "$(findings offline)" = "$(findings resolved)" ] || { diff <(findings resolved) <(findings offline); fail "offline findings differ"; }
echo "an expired tag with the registry down: the stale answer, with a warning"
OKDLINT_BASE_CACHE_TTL=0 run stale nonroot.Containerfile --resolve-bases "${REGFLAGS[@]}"
lacks stale "OKD102"
grep -q "okdlint: warning: nonroot.Containerfile: base $REG/x/nonroot:1: .*using the cached answer" "$WORK/stale.err" ||
  { cat "$WORK/stale.err"; fail "no stale-cache warning"; }
echo "a base never resolved, registry down: one warning line, lint goes on cautious (exit 1, not 2)"
printf 'FROM %s/x/other:1\nCMD ["/app"]\n' "$REG" > other.Containerfile
run unresolved other.Containerfile --resolve-bases --registry-timeout 5 "${REGFLAGS[@]}"
[ "$status" = 1 ] || fail "exit $status (want 1: findings, not an input error)"
[ "$(wc -l < "$WORK/unresolved.err")" = 1 ] || { cat "$WORK/unresolved.err"; fail "stderr is not one line"; }
grep -q "^okdlint: warning: other.Containerfile: base $REG/x/other:1 not resolved: .*linting without its facts$" "$WORK/unresolved.err" ||
  { cat "$WORK/unresolved.err"; fail "warning text"; }
cat "$WORK/unresolved.err"
has unresolved "OKD102 .*the base was not resolved"

echo "--- TTL expiry fetches the tag again (the tag now names a root image)"
start_registry
push rootbase x/nonroot:1
run fresh nonroot.Containerfile --resolve-bases "${REGFLAGS[@]}"
lacks fresh "OKD102"   # the cached answer (65532) is still fresh: no network, old facts
gets=$(manifest_gets x/nonroot)
OKDLINT_BASE_CACHE_TTL=0 run expired nonroot.Containerfile --resolve-bases "${REGFLAGS[@]}"
[ "$(manifest_gets x/nonroot)" -gt "$gets" ] || fail "an expired tag was not fetched again"
has expired "OKD102 .*runs as the user of base image $REG/x/nonroot:1 (root, read from the registry)"
echo "base-cache-ttl in .okdlint.yaml: the refreshed answer is now cached"
printf 'resolve-bases: true\nbase-cache-ttl: 1h\n' > .okdlint.yaml
run refreshed nonroot.Containerfile "${REGFLAGS[@]}"
has refreshed "OKD102 .*(root, read from the registry)"
rm .okdlint.yaml

echo "--- a damaged cache entry is ignored and fetched again"
for f in "$CACHE"/configs/sha256/*; do printf 'garbage' > "$f"; done
for f in "$CACHE"/refs/*.json; do printf '{"key": 3' > "$f"; done
run repaired nonroot.Containerfile web.Containerfile --resolve-bases "${REGFLAGS[@]}"
[ ! -s "$WORK/repaired.err" ] || { cat "$WORK/repaired.err"; fail "warnings after repairing the cache"; }
has repaired "OKD102 .*(root, read from the registry)"
has repaired "OKD201 base image $REG/x/web:1 exposes port 80"
"$PY" - "$CACHE" <<'PY' || fail "the cache was not rewritten with valid entries"
import hashlib, json, os, sys
cache = sys.argv[1]
d = os.path.join(cache, "configs", "sha256")
good = [f for f in os.listdir(d) if hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest() == f]
assert good, "no config blob matches its digest"
keys = []
for f in os.listdir(os.path.join(cache, "refs")):
    try:
        keys.append(json.load(open(os.path.join(cache, "refs", f)))["key"])
    except ValueError:
        pass  # the Docker Hub base's entry, not linted again: still damaged
assert sorted(k.split("/x/")[-1] for k in keys) == ["nonroot:1 linux/amd64", "web:1 linux/amd64"], keys
print(f"{len(good)} configs match their digests; rewritten refs: {sorted(keys)}")
PY

echo "--- --resolve-bases=cached and git hooks never use the network"
export XDG_CACHE_HOME=$WORK/cache2
gets=$(manifest_gets x/web)
run cached_only web.Containerfile --resolve-bases=cached "${REGFLAGS[@]}"
grep -q "not in the cache" "$WORK/cached_only.err" || { cat "$WORK/cached_only.err"; fail "no cache-miss warning"; }
lacks cached_only "OKD201"
git init -q repo && cd repo
cp ../web.Containerfile Containerfile
printf 'resolve-bases: true\nproxy: %s/base\n' "$REG" > .okdlint.yaml
git add Containerfile .okdlint.yaml
set +e
"$OKDLINT" hook run-pre-commit > "$WORK/hook.out" 2> "$WORK/hook.err"
set -e
[ "$(manifest_gets x/web)" = "$gets" ] || fail "a git hook or --resolve-bases=cached asked the registry"
grep -q "not in the cache" "$WORK/hook.err" || { cat "$WORK/hook.err"; fail "the hook did not say the base is not cached"; }
! grep -q "OKD201" "$WORK/hook.err" || fail "the hook knew the base without a cache"
echo "after a lint with --resolve-bases the hook uses the cache"
"$OKDLINT" Containerfile --resolve-bases --cert-dir "$WORK/certs" --authfile "$WORK/auth.json" > /dev/null 2>&1 || true
gets=$(manifest_gets x/web)
set +e
"$OKDLINT" hook run-pre-commit > "$WORK/hook.out" 2> "$WORK/hook.err"
set -e
[ "$(manifest_gets x/web)" = "$gets" ] || fail "the hook asked the registry"
grep -q "OKD201" "$WORK/hook.err" || { cat "$WORK/hook.err"; fail "the hook did not use the cached facts"; }
cd ..

echo "PASS"
