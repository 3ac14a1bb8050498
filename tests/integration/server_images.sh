#!/bin/bash
# The acceptance suite of `okdlint rewrite` on real servers (issue 12): nginx, apache2, lighttpd and
# redis installed from Debian 12 packages into root-running images (tests/support/build-server-images.sh,
# cached). For each server:
#   1. the original fails when run as OKD runs it (tests/support/run-as-okd.sh: uid 1000770000, gid 0,
#      no capabilities, no_new_privs), and okdlint reports it (exit 1);
#   2. `okdlint rewrite` (web servers: --port-map 80:PORT, a remap being what `fix` calls unsafe;
#      redis: no flag) produces an image that serves under the same constraints and answers a real
#      request (HTTP 200 / redis PING → +PONG);
#   3. okdlint on the rewritten image exits 0.
# And the negatives, where the rewrite cannot make it run, lint must not be clean: nginx rewritten
# without a port flag (still on 80), and an nginx image whose Cmd goes through `su`.
# Usage: server_images.sh /path/to/okdlint. Needs root, umoci, skopeo, jq, curl, python3, the mirror.
set -euo pipefail
OKDLINT=$(realpath "${1:?usage: server_images.sh /path/to/okdlint}")
HERE=$(cd "$(dirname "$0")" && pwd)
RUN="$HERE/../support/run-as-okd.sh"
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL (CI must not skip): $*" >&2; exit 1; fi
  echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, file ownership)"
for tool in umoci skopeo jq curl python3 setpriv flock; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ -e "${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}/debian-bookworm-minbase.tar" ] || command -v debootstrap >/dev/null ||
  skip "debootstrap is not installed"

WORK=$(mktemp -d)
RUNNING=()
cleanup() {
  for w in "${RUNNING[@]}"; do bash "$RUN" stop "$w" >/dev/null 2>&1 || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }

start=$(date +%s)
LAYOUT=$(bash "$HERE/../support/build-server-images.sh")
echo "images: $LAYOUT (ready after $(( $(date +%s) - start )) s)"
# A private copy: the tests add tags, the cache stays as built.
skopeo "${POLICY[@]}" copy -q oci:"$LAYOUT":nginx oci:"$WORK/layout":nginx
for tag in apache2 lighttpd redis; do skopeo "${POLICY[@]}" copy -q oci:"$LAYOUT":$tag oci:"$WORK/layout":$tag; done

free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
port_free() { python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', int(sys.argv[1])))" "$1" 2>/dev/null; }

# run NAME LAYOUT:TAG: starts it as OKD would; 0 when it stays up (then stop it with stop NAME).
run() {
  local w="$WORK/run-$1"
  RUNNING+=("$w")
  bash "$RUN" start "$2" "$w" > "$WORK/$1.start" 2>&1
}
stop() { bash "$RUN" stop "$WORK/run-$1" > "$WORK/$1.log" 2>&1 || true; }

# The original: fails under OKD's constraints; prints the server's error line.
expect_original_fails() {  # NAME PATTERN
  local name=$1 pattern=$2
  if run "$name-original" "$WORK/layout:$name"; then
    stop "$name-original"
    fail "$name: the original image kept running as uid 1000770000:0"
  fi
  grep -E "$pattern" "$WORK/$name-original.start" > "$WORK/$name-original.error" ||
    { cat "$WORK/$name-original.start"; fail "$name: the original's output lacks /$pattern/"; }
  echo "$name original under OKD constraints: $(head -n 1 "$WORK/$name-original.error")"
}

# okdlint reads a layout directory; give it a layout holding one image.
one_image_layout() {  # TAG DIR
  skopeo "${POLICY[@]}" copy -q oci:"$WORK/layout":"$1" oci:"$2":"$1"
}

rewrite() {  # NAME ARGS...: rewrites the image into $WORK/NAME-fixed (tag fixed)
  local name=$1; shift
  one_image_layout "$name" "$WORK/$name-in"
  set +e
  "$OKDLINT" "$WORK/$name-in" > "$WORK/$name-in.lint" 2>&1
  local status=$?
  set -e
  [ $status -eq 1 ] || { cat "$WORK/$name-in.lint"; fail "$name: okdlint on the original exited $status, not 1"; }
  "$OKDLINT" rewrite "$WORK/$name-in" --output-format oci -o "$WORK/$name-fixed" --tag fixed "$@" \
    > "$WORK/$name.rewrite" 2>&1 || { cat "$WORK/$name.rewrite"; fail "$name: okdlint rewrite $* failed"; }
}

lint_clean() {  # NAME
  set +e
  "$OKDLINT" "$WORK/$1-fixed" > "$WORK/$1-fixed.lint" 2>&1
  local status=$?
  set -e
  [ $status -eq 0 ] || { cat "$WORK/$1-fixed.lint"; fail "$1: okdlint on the rewritten image exited $status, not 0"; }
}

http_200() {  # NAME PORT
  local code=
  for _ in $(seq 1 40); do
    code=$(curl -s -o "$WORK/$1.body" -w '%{http_code}' --max-time 2 "http://127.0.0.1:$2/" || true)
    [ "$code" = 200 ] && break
    sleep 0.25
  done
  [ "$code" = 200 ] || { stop "$1-fixed"; cat "$WORK/$1-fixed.log"; fail "$1: GET http://127.0.0.1:$2/ gave '$code'"; }
  echo "$1 rewritten: GET http://127.0.0.1:$2/ -> 200 ($(wc -c < "$WORK/$1.body") bytes)"
}

summary() {  # NAME: what the rewrite changed
  echo "$1 rewrite: $(jq -r '.history[-1].comment' "$WORK/$1-fixed/blobs/sha256/$(jq -r '.config.digest' \
    "$WORK/$1-fixed/blobs/sha256/$(jq -r '.manifests[0].digest' "$WORK/$1-fixed/index.json" | cut -d: -f2)" | cut -d: -f2)")"
}

web_server() {  # NAME ORIGINAL_ERROR_PATTERN
  local name=$1 port
  expect_original_fails "$name" "$2"
  port=$(free_port)
  rewrite "$name" --port-map "80:$port"
  summary "$name"
  lint_clean "$name"
  run "$name-fixed" "$WORK/$name-fixed:fixed" || { cat "$WORK/$name-fixed.start"; fail "$name: the rewritten image exited"; }
  http_200 "$name" "$port"
  stop "$name-fixed"
}

echo "=== nginx"
web_server nginx 'mkdir\(\) "/var/lib/nginx/[a-z]+" failed \(13: Permission denied\)'
echo "=== apache2"
web_server apache2 'AH00091|Permission denied'
echo "=== lighttpd"
web_server lighttpd 'Permission denied'

echo "=== redis"
port_free 6379 || fail "port 6379 is taken on this machine: redis cannot be tested"
expect_original_fails redis "Can't open config file|Permission denied"
rewrite redis
summary redis
lint_clean redis
run redis-fixed "$WORK/redis-fixed:fixed" || { cat "$WORK/redis-fixed.start"; fail "redis: the rewritten image exited"; }
pong=
for _ in $(seq 1 40); do
  pong=$(python3 - <<'EOF' 2>/dev/null || true
import socket
s = socket.create_connection(("127.0.0.1", 6379), timeout=2)
s.sendall(b"PING\r\n")
print(s.recv(64).decode().strip())
EOF
)
  [ "$pong" = "+PONG" ] && break
  sleep 0.25
done
[ "$pong" = "+PONG" ] || { stop redis-fixed; cat "$WORK/redis-fixed.log"; fail "redis: PING got '$pong'"; }
echo "redis rewritten: PING -> $pong on 127.0.0.1:6379"
stop redis-fixed

echo "=== negative: nginx rewritten without a port flag keeps port 80; lint says so and it cannot bind"
one_image_layout nginx "$WORK/nginx80-in"
"$OKDLINT" rewrite "$WORK/nginx80-in" --output-format oci -o "$WORK/nginx80-fixed" --tag fixed > /dev/null 2>&1
set +e
"$OKDLINT" "$WORK/nginx80-fixed" > "$WORK/nginx80.lint" 2>&1
status=$?
set -e
[ $status -eq 1 ] && grep -q 'OKD201' "$WORK/nginx80.lint" && grep -q 'OKD202' "$WORK/nginx80.lint" ||
  { cat "$WORK/nginx80.lint"; fail "lint of nginx rewritten without a remap exited $status without OKD201/OKD202"; }
if run nginx80 "$WORK/nginx80-fixed:fixed"; then stop nginx80; fail "nginx on port 80 ran as uid 1000770000"; fi
grep -q 'bind() to .*:80 failed (13: Permission denied)' "$WORK/nginx80.start" ||
  { cat "$WORK/nginx80.start"; fail "nginx on port 80 should fail to bind"; }
echo "nginx without a remap: lint exit 1 (OKD201, OKD202), run: $(grep -m1 'bind()' "$WORK/nginx80.start")"

echo "=== negative: an nginx image started through su cannot run on OKD; lint says so after the rewrite"
umoci config --image "$WORK/layout:nginx" --tag nginx-su --config.cmd su --config.cmd -s --config.cmd /bin/sh \
  --config.cmd -c --config.cmd "exec nginx -g 'daemon off;'" --config.cmd www-data > /dev/null
port=$(free_port)
rewrite nginx-su --port-map "80:$port"
set +e
"$OKDLINT" "$WORK/nginx-su-fixed" > "$WORK/nginx-su-fixed.lint" 2>&1
status=$?
set -e
[ $status -eq 1 ] && grep -q 'OKD105.*through su' "$WORK/nginx-su-fixed.lint" ||
  { cat "$WORK/nginx-su-fixed.lint"; fail "lint of the su image exited $status without OKD105 on su"; }
if run nginx-su "$WORK/nginx-su-fixed:fixed"; then stop nginx-su; fail "the su image ran as uid 1000770000"; fi
grep -q 'Authentication failure' "$WORK/nginx-su.start" || { cat "$WORK/nginx-su.start"; fail "su should fail"; }
echo "nginx through su: lint exit 1 (OKD105), run: $(grep -m1 'Authentication failure' "$WORK/nginx-su.start")"
echo "PASS ($(( $(date +%s) - start )) s)"
