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
mkdir -p "$WORK/ca" "$WORK/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=okdlint test CA" \
  -keyout "$WORK/ca/ca.key" -out "$WORK/ca/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$WORK/ca/server.key" -out "$WORK/ca/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$WORK/ca/san.ext"
openssl x509 -req -in "$WORK/ca/server.csr" -CA "$WORK/ca/ca.crt" -CAkey "$WORK/ca/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/ca/san.ext" -out "$WORK/ca/server.crt" 2>/dev/null
cp "$WORK/ca/ca.crt" "$WORK/certs/ca.crt"   # the --cert-dir / --dest-cert-dir directory
htpasswd -Bbn okd s3cret-pass > "$WORK/htpasswd" 2>/dev/null

# start_registry NAME PORT AUTH_YAML: TLS on 127.0.0.1:PORT, storage and log under $WORK/NAME.
start_registry() {
  local name=$1 port=$2 auth=$3 dir=$WORK/$1
  mkdir -p "$dir/data"
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $WORK/ca/server.crt
    key: $WORK/ca/server.key
$auth
YML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do
    curl -s --cacert "$WORK/ca/ca.crt" -o /dev/null "https://127.0.0.1:$port/v2/" && return 0
    sleep 0.25
  done
  cat "$dir/registry.log" >&2; fail "registry $name did not start"
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

echo "--- token auth: JWTs signed with the CA's key"
TOKEN_PORT=$(free_port)
EXPIRED_PORT=$(free_port)
"$PY" "$HERE/../token_server.py" "$TOKEN_PORT" "$WORK/ca/ca.key" "$WORK/ca/ca.crt" okd tok-pass okd-issuer okd-registry ok "$WORK/token.log" &
PIDS+=($!)
"$PY" "$HERE/../token_server.py" "$EXPIRED_PORT" "$WORK/ca/ca.key" "$WORK/ca/ca.crt" okd tok-pass okd-issuer okd-registry expired "$WORK/expired.log" &
PIDS+=($!)
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
EXPIRED_REG_PORT=$(free_port)
start_registry expired "$EXPIRED_REG_PORT" "$(token_auth "$EXPIRED_PORT")"
authfile "$WORK/expired-auth.json" "127.0.0.1:$EXPIRED_REG_PORT" okd tok-pass
one_line_error "rejected the token" -- "docker://127.0.0.1:$EXPIRED_REG_PORT/okd/app:1" --cert-dir "$WORK/certs" --authfile "$WORK/expired-auth.json"

echo "PASS"
