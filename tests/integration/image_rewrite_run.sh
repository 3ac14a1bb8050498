#!/bin/bash
# okdlint rewrite, proven by running the server: a busybox httpd image (tests/make_rewrite_fixture.sh)
# is unpacked with umoci and started as OKD would start it (a random uid, gid 0). The original fails
# (it cannot write its own directory, and port 80 is privileged); the rewritten one starts, writes
# its log and answers on the remapped port. Usage: image_rewrite_run.sh /path/to/okdlint
# Needs root (chroot, ownership), umoci, skopeo, setcap, python3, curl, a static busybox.
set -euo pipefail
OKDLINT=${1:?usage: image_rewrite_run.sh /path/to/okdlint}
HERE=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (chroot and file ownership)"
for tool in umoci skopeo setcap python3 curl chroot timeout; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
command -v busybox >/dev/null && file -L "$(command -v busybox)" | grep -q 'statically linked' ||
  skip "no static busybox (apt-get install busybox-static)"

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }

bash "$HERE/../make_rewrite_fixture.sh" "$WORK/fixture" > "$WORK/fixture.log" 2>&1 || { cat "$WORK/fixture.log"; fail "fixture"; }

port_free() { python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }
# A remap changes what clients connect to, so rewrite makes it only when asked: --unsafe-fixes (the
# default 80→8080) or --port-map.
PORT=8080
PORT_MAP=(--unsafe-fixes)
if ! port_free 8080; then  # someone else holds 8080 here: remap to a free port instead
  PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  PORT_MAP=(--port-map "80:$PORT")
  echo "127.0.0.1:8080 is taken; remapping 80 to $PORT"
fi

"$OKDLINT" rewrite "$WORK/fixture/app.oci.tar" -o "$WORK/fixed.oci.tar" "${PORT_MAP[@]}" --tag okd/app:fixed
skopeo "${POLICY[@]}" copy -q oci-archive:"$WORK/fixed.oci.tar" oci:"$WORK/fixed-layout":fixed
umoci unpack --image "$WORK/fixture/oci:app" "$WORK/original" > /dev/null
umoci unpack --image "$WORK/fixed-layout:fixed" "$WORK/fixed" > /dev/null

# OKD's view of the process: an arbitrary uid from the namespace range, primary group 0.
RUN_AS=1000770000:0
CHROOT=$(command -v chroot)
run_env=(env -i PATH=/bin:/usr/local/bin HOME=/)  # outside the chroot: the image has no env

echo "--- original, as $RUN_AS"
set +e
"${run_env[@]}" timeout 10 "$CHROOT" --userspec=$RUN_AS "$WORK/original/rootfs" /usr/local/bin/start-server
status=$?
set -e
# 11: start-server could not write /srv/app/started.log (owned 1001:1001 0755).
[ "$status" -eq 11 ] || fail "the original server should fail writing its log (exit 11), got exit $status"
[ ! -e "$WORK/original/rootfs/srv/app/started.log" ] || fail "the original could write /srv/app"
echo "original failed as expected (exit $status)"
# Its port alone is refused too: a non-root process cannot bind 80.
set +e
"${run_env[@]}" timeout 5 "$CHROOT" --userspec=$RUN_AS "$WORK/original/rootfs" busybox httpd -f -p 127.0.0.1:80 -h /www \
  2> "$WORK/bind.err"
status=$?
set -e
cat "$WORK/bind.err"
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] && grep -q "Permission denied" "$WORK/bind.err" ||
  fail "binding port 80 as $RUN_AS should be refused (exit $status)"
echo "binding 127.0.0.1:80 as $RUN_AS failed as expected (exit $status)"

echo "--- rewritten, as $RUN_AS"
"${run_env[@]}" "$CHROOT" --userspec=$RUN_AS "$WORK/fixed/rootfs" /usr/local/bin/start-server &
SERVER_PID=$!
answer=
for _ in $(seq 1 40); do
  answer=$(curl -sf --max-time 2 "http://127.0.0.1:$PORT/index.html" || true)
  [ -n "$answer" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the rewritten server exited"
  sleep 0.25
done
[ "$answer" = "<h1>okd rewrite fixture</h1>" ] || fail "no answer from 127.0.0.1:$PORT (got '$answer')"
grep -qx "starting on $PORT as 1000770000:0" "$WORK/fixed/rootfs/srv/app/started.log" ||
  fail "started.log: $(cat "$WORK/fixed/rootfs/srv/app/started.log" 2>&1)"
echo "rewritten server answered on 127.0.0.1:$PORT and wrote /srv/app/started.log"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
echo "PASS"
