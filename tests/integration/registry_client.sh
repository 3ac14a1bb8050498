#!/bin/bash
# okdlint's registry client against Debian's docker-registry on 127.0.0.1, over TLS with a CA this
# test makes: with htpasswd Basic auth and with token auth (tests/token_server.py signs the JWTs
# with the CA's key). The fixture image is pushed with skopeo. Asserts: `okdlint docker://…`
# reports exactly what the local lint of the same image reports; credentials come from an auth
# file; wrong password, missing credentials, an expired token, an unknown tag and an untrusted CA
# each give one line on stderr and exit 2. Usage: registry_client.sh OKDLINT
set -euo pipefail
OKDLINT=${1:?usage: registry_client.sh /path/to/okdlint}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../support/tls_registry.sh
. "$HERE/../support/tls_registry.sh"
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL (CI): $*" >&2; exit 1; fi
  echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (the fixture keeps ownership and capabilities)"
for tool in skopeo umoci setcap openssl htpasswd docker-registry curl; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
PY=/usr/bin/python3
"$PY" -c 'import jwt, cryptography' 2>/dev/null || skip "python3-jwt / python3-cryptography are not installed"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }
sk() { skopeo "${POLICY[@]}" "$@"; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "--- a CA, a server certificate for 127.0.0.1, users"
make_test_ca "$WORK/ca"   # and $WORK/certs: the --cert-dir / --dest-cert-dir directory
htpasswd -Bbn okd s3cret-pass > "$WORK/htpasswd" 2>/dev/null

# start_registry NAME PORT AUTH_YAML: TLS on 127.0.0.1:PORT, storage and log under $WORK/NAME.
start_registry() {
  start_tls_registry "$WORK/$1" "127.0.0.1:$2" "$3"
  PIDS+=("$REGISTRY_PID")
}

echo "--- the fixture image, pushed with skopeo"
bash "$HERE/../make_rewrite_fixture.sh" "$WORK/fixture" > "$WORK/fixture.log" 2>&1 || { cat "$WORK/fixture.log"; fail "fixture"; }
IMAGE=$WORK/fixture/app.oci.tar

BASIC_PORT=$(free_port)
start_registry basic "$BASIC_PORT" "auth:
  htpasswd:
    realm: okdlint-test
    path: $WORK/htpasswd"
BASIC=127.0.0.1:$BASIC_PORT
sk copy --quiet --dest-cert-dir "$WORK/certs" --dest-creds okd:s3cret-pass "oci-archive:$IMAGE" "docker://$BASIC/okd/app:1" ||
  fail "skopeo push to the Basic-auth registry"

authfile() {  # authfile FILE KEY USER PASSWORD
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$2" "$(printf '%s:%s' "$3" "$4" | base64 -w0)" > "$1"
}
authfile "$WORK/auth.json" "$BASIC" okd s3cret-pass
authfile "$WORK/wrong.json" "$BASIC" okd wrong-pass
echo '{"auths":{}}' > "$WORK/empty.json"

# one_line_error EXPECTED_SUBSTRING -- okdlint args: exit 2 and exactly one line on stderr.
one_line_error() {
  local want=$1; shift 2
  set +e
  "$OKDLINT" "$@" > "$WORK/out" 2> "$WORK/err"
  local status=$?
  set -e
  [ "$status" = 2 ] || { cat "$WORK/err"; fail "exit $status (want 2) for: $*"; }
  [ "$(wc -l < "$WORK/err")" = 1 ] || { cat "$WORK/err"; fail "stderr is not one line for: $*"; }
  grep -q -- "$want" "$WORK/err" || { cat "$WORK/err"; fail "stderr lacks '$want' for: $*"; }
  echo "one line, exit 2: $(cat "$WORK/err")"
}

# same_findings REF ARGS...: remote lint equals the local lint of the fixture (rule, severity, message).
same_findings() {
  local ref=$1; shift
  set +e
  "$OKDLINT" --format json "$IMAGE" > "$WORK/local.json"; local local_status=$?
  "$OKDLINT" --format json "$@" "$ref" > "$WORK/remote.json" 2> "$WORK/remote.err"; local remote_status=$?
  set -e
  [ "$local_status" = 1 ] || fail "local lint exit $local_status (the fixture has findings)"
  [ "$remote_status" = "$local_status" ] || { cat "$WORK/remote.err"; fail "remote lint exit $remote_status"; }
  "$PY" - "$WORK/local.json" "$WORK/remote.json" <<'PY' || fail "remote findings differ from local ones"
import json, sys
def load(path):
    doc = json.load(open(path))
    items = doc["diagnostics"] if isinstance(doc, dict) else doc
    return sorted((d["rule"], d["severity"], d["message"]) for d in items)
local, remote = load(sys.argv[1]), load(sys.argv[2])
assert local, "the fixture must have findings"
assert local == remote, (local, remote)
print(f"{len(remote)} findings, the same as the local lint")
PY
}

echo "--- Basic auth over TLS: remote lint equals local lint"
same_findings "docker://$BASIC/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/auth.json"
DIGEST=$(sk inspect --cert-dir "$WORK/certs" --creds okd:s3cret-pass --format '{{.Digest}}' "docker://$BASIC/okd/app:1")
same_findings "docker://$BASIC/okd/app@$DIGEST" --cert-dir "$WORK/certs" --authfile "$WORK/auth.json"
REGISTRY_AUTH_FILE=$WORK/auth.json same_findings "docker://$BASIC/okd/app:1" --cert-dir "$WORK/certs"
echo "--- a repository-specific key wins over the host's"
printf '{"auths":{"%s":{"auth":"%s"},"%s/okd/app":{"auth":"%s"}}}\n' \
  "$BASIC" "$(printf okd:wrong-pass | base64 -w0)" "$BASIC" "$(printf okd:s3cret-pass | base64 -w0)" > "$WORK/specific.json"
same_findings "docker://$BASIC/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/specific.json"

echo "--- errors: one line, exit 2"
one_line_error "rejected the user and password of okd" -- "docker://$BASIC/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/wrong.json"
one_line_error "podman login $BASIC" -- "docker://$BASIC/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/empty.json"
one_line_error "not found" -- "docker://$BASIC/okd/app:nope" --cert-dir "$WORK/certs" --authfile "$WORK/auth.json"
one_line_error "certificate" -- "docker://$BASIC/okd/app:1" --cert-dir "$WORK/empty-dir" --authfile "$WORK/auth.json"
"$OKDLINT" --format json --tls-verify=false --authfile "$WORK/auth.json" "docker://$BASIC/okd/app:1" > /dev/null 2>&1 &&
  fail "findings expected" || [ $? = 1 ] || fail "--tls-verify=false did not lint"
echo "--tls-verify=false lints without the CA"

echo "--- rewrite --push: only the new layer and the config are uploaded"
CREDS=(--cert-dir "$WORK/certs" --authfile "$WORK/auth.json")
# uploads REGISTRY_DIR FROM_LINE KIND: okdlint's requests of one kind in the registry's access log.
log_lines() { tail -n +"$(( $2 + 1 ))" "$WORK/$1/registry.log" | grep '"okdlint' || true; }
count_from() { log_lines "$1" "$2" | grep -cE "$3" || true; }
mark() { wc -l < "$WORK/$1/registry.log"; }
pull_back() {  # pull_back REF CREDS LAYOUT: skopeo pulls the pushed image; its manifest is LAYOUT's
  sk copy --quiet --src-cert-dir "$WORK/certs" --src-creds "$2" "docker://$1" "oci-archive:$WORK/pulled.tar" ||
    fail "skopeo cannot pull $1"
  sk inspect --raw --cert-dir "$WORK/certs" --creds "$2" "docker://$1" > "$WORK/pulled-manifest.json"
  "$PY" - "$3" "$WORK/pulled-manifest.json" <<'PY' || fail "the pulled manifest differs from the rewrite's"
import json, os, sys, tarfile, hashlib
layout, pulled = sys.argv[1], open(sys.argv[2], "rb").read()
index = json.load(open(os.path.join(layout, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
local = open(os.path.join(layout, "blobs", "sha256", digest), "rb").read()
assert pulled == local, "manifests differ"
assert hashlib.sha256(pulled).hexdigest() == digest
print("pulled back: manifest sha256:" + digest[:12] + " is the local rewrite's")
PY
  "$OKDLINT" --format json "$WORK/pulled.tar" > "$WORK/pulled-lint.json" && pulled_status=0 || pulled_status=$?
  "$OKDLINT" --format json "$3" > "$WORK/rewritten-lint.json" && rewritten_status=0 || rewritten_status=$?
  [ "$pulled_status" = "$rewritten_status" ] || fail "the pulled image lints differently (exit $pulled_status vs $rewritten_status)"
  "$PY" -c 'import json,sys; d=lambda x: x["diagnostics"] if isinstance(x, dict) else x; a,b=(sorted((f["rule"],f["message"]) for f in d(json.load(open(p)))) for p in sys.argv[1:]); assert a==b,(a,b)' \
    "$WORK/pulled-lint.json" "$WORK/rewritten-lint.json" || fail "the pulled image's findings differ from the local rewrite's"
}
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/rewritten" --output-format oci --unsafe-fixes --tag okd/app:fixed 2>/dev/null
before=$(mark basic)
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/pushed" --output-format oci --unsafe-fixes --tag okd/app:fixed \
  --push "docker://$BASIC/okd/app:fixed" "${CREDS[@]}" 2> "$WORK/push.err" || { cat "$WORK/push.err"; fail "rewrite --push"; }
grep "pushed" "$WORK/push.err"
uploads=$(count_from basic "$before" '"PUT /v2/okd/app/blobs/uploads/[^ ]*digest=[^ ]* HTTP/[0-9.]+" 201')
heads=$(count_from basic "$before" '"HEAD /v2/okd/app/blobs/sha256:[0-9a-f]{64} HTTP/[0-9.]+" 200')
[ "$uploads" = 2 ] || { log_lines basic "$before"; fail "$uploads blob uploads (want 2: the new layer and the config)"; }
[ "$heads" = 2 ] || { log_lines basic "$before"; fail "$heads blobs found by HEAD (want the 2 base layers)"; }
echo "registry log: $uploads blob uploads, $heads base layers skipped after HEAD"
pull_back "$BASIC/okd/app:fixed" okd:s3cret-pass "$WORK/rewritten"

echo "--- into another repository: base layers mounted, chunked upload"
before=$(mark basic)
# Another port map: a new layer and config that no repository has yet.
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/pushed2" --output-format oci --unsafe-fixes --tag okd/app:fixed --port-map 80:9090 \
  --push "docker://$BASIC/okd/app-okd:1" --mount-from okd/app --chunk-size 1000 "${CREDS[@]}" 2> "$WORK/push.err" ||
  { cat "$WORK/push.err"; fail "rewrite --push --mount-from"; }
grep "pushed" "$WORK/push.err"
mounts=$(count_from basic "$before" '"POST /v2/okd/app-okd/blobs/uploads/\?[^ ]*mount=[^ ]* HTTP/[0-9.]+" 201')
uploads=$(count_from basic "$before" '"PUT /v2/okd/app-okd/blobs/uploads/[^ ]*digest=[^ ]* HTTP/[0-9.]+" 201')
patches=$(count_from basic "$before" '"PATCH /v2/okd/app-okd/blobs/uploads/[^ ]* HTTP/[0-9.]+" 202')
[ "$mounts" = 2 ] || { log_lines basic "$before"; fail "$mounts mounts (want the 2 base layers)"; }
[ "$uploads" = 2 ] || { log_lines basic "$before"; fail "$uploads uploads (want 2)"; }
[ "$patches" -gt 2 ] || { log_lines basic "$before"; fail "$patches PATCH chunks (want several)"; }
echo "registry log: $mounts mounted, $uploads uploads in $patches PATCH chunks"
pull_back "$BASIC/okd/app-okd:1" okd:s3cret-pass "$WORK/pushed2"

echo "--- token auth: JWTs signed with the CA's key"
TOKEN_PORT=$(free_port)
EXPIRED_PORT=$(free_port)
"$PY" "$HERE/../token_server.py" "$TOKEN_PORT" "$WORK/ca/ca.key" "$WORK/ca/ca.crt" okd tok-pass okd-issuer okd-registry ok "$WORK/token.log" &
PIDS+=($!)
"$PY" "$HERE/../token_server.py" "$EXPIRED_PORT" "$WORK/ca/ca.key" "$WORK/ca/ca.crt" okd tok-pass okd-issuer okd-registry expired "$WORK/expired.log" &
PIDS+=($!)
# The token servers start in the background: wait until both accept connections (under load the
# first push raced them).
for port in "$TOKEN_PORT" "$EXPIRED_PORT"; do
  for _ in $(seq 1 80); do
    "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)' "$port" 2>/dev/null && break
    sleep 0.25
  done
done
token_auth() {
  printf 'auth:\n  token:\n    realm: http://127.0.0.1:%s/token\n    service: okd-registry\n    issuer: okd-issuer\n    rootcertbundle: %s\n' "$1" "$WORK/ca/ca.crt"
}
TOKEN_REG_PORT=$(free_port)
start_registry token "$TOKEN_REG_PORT" "$(token_auth "$TOKEN_PORT")"
TOKEN=127.0.0.1:$TOKEN_REG_PORT
sk copy --quiet --dest-cert-dir "$WORK/certs" --dest-creds okd:tok-pass "oci-archive:$IMAGE" "docker://$TOKEN/okd/app:1" ||
  fail "skopeo push to the token-auth registry"
authfile "$WORK/token-auth.json" "$TOKEN" okd tok-pass
authfile "$WORK/token-wrong.json" "$TOKEN" okd wrong-pass
: > "$WORK/token.log"
same_findings "docker://$TOKEN/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/token-auth.json"
grep -q '"scope": \["repository:okd/app:pull"\]' "$WORK/token.log" || { cat "$WORK/token.log"; fail "no pull-scoped token request"; }
echo "token requests: $(wc -l < "$WORK/token.log") (one per scope)"
one_line_error "rejected the user and password of okd" -- "docker://$TOKEN/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/token-wrong.json"
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/pushed3" --output-format oci --unsafe-fixes --tag okd/app:fixed \
  --push "docker://$TOKEN/okd/app:fixed" --cert-dir "$WORK/certs" --authfile "$WORK/token-auth.json" 2> "$WORK/push.err" ||
  { cat "$WORK/push.err"; fail "rewrite --push with token auth"; }
grep -q '"scope": \["repository:okd/app:pull,push"\]' "$WORK/token.log" || { cat "$WORK/token.log"; fail "no push-scoped token"; }
pull_back "$TOKEN/okd/app:fixed" okd:tok-pass "$WORK/rewritten"
EXPIRED_REG_PORT=$(free_port)
start_registry expired "$EXPIRED_REG_PORT" "$(token_auth "$EXPIRED_PORT")"
authfile "$WORK/expired-auth.json" "127.0.0.1:$EXPIRED_REG_PORT" okd tok-pass
one_line_error "rejected the token" -- "docker://127.0.0.1:$EXPIRED_REG_PORT/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/expired-auth.json"

echo "--- a redirect to another host does not receive Authorization"
BACKEND_PORT=$(free_port); FRONT_PORT=$(free_port); SIDE_PORT=$(free_port)
bash "$HERE/../loopback_registry.sh" start "$WORK/backend" "$BACKEND_PORT"
PIDS+=("$(cat "$WORK/backend/registry.pid")")
sk copy --quiet --dest-tls-verify=false "oci-archive:$IMAGE" "docker://127.0.0.1:$BACKEND_PORT/okd/app:1" || fail "push to the backend"
"$PY" "$HERE/../redirect_front.py" "$FRONT_PORT" "$SIDE_PORT" "$BACKEND_PORT" okd front-pass "$WORK/side.log" &
PIDS+=($!)
for _ in $(seq 1 40); do curl -s -o /dev/null "http://127.0.0.1:$FRONT_PORT/v2/" && break; sleep 0.25; done
authfile "$WORK/front.json" "127.0.0.1:$FRONT_PORT" okd front-pass
same_findings "docker://127.0.0.1:$FRONT_PORT/okd/app:1" --tls-verify=false --authfile "$WORK/front.json"
"$PY" - "$WORK/side.log" <<'PY' || fail "the redirect target received Authorization"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 2, f"only {len(lines)} redirected blob requests"
leaked = [l for l in lines if l["authorization"]]
assert not leaked, leaked
print(f"{len(lines)} blob downloads redirected to localhost:{sys.argv[1] and ''}…, none with Authorization")
PY

echo "PASS"
