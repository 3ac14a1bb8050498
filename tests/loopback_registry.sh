#!/bin/bash
# A real OCI distribution registry (Debian's docker-registry) on 127.0.0.1 only, for interop tests.
#   loopback_registry.sh start DIR PORT   starts it (storage in DIR/data), waits until /v2/ answers
#   loopback_registry.sh stop DIR         stops the one started with DIR, by its PID
# Push to it with: skopeo copy --dest-tls-verify=false oci-archive:X.tar docker://127.0.0.1:PORT/ns/name:tag
set -euo pipefail
cmd=${1:?usage: loopback_registry.sh start|stop DIR [PORT]}; DIR=${2:?DIR}
case $cmd in
start)
  PORT=${3:?PORT}
  command -v docker-registry >/dev/null || { echo "missing docker-registry (apt-get install docker-registry)" >&2; exit 3; }
  mkdir -p "$DIR/data"
  cat > "$DIR/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
http:
  addr: 127.0.0.1:$PORT
YML
  docker-registry serve "$DIR/registry.yml" > "$DIR/registry.log" 2>&1 &
  echo $! > "$DIR/registry.pid"
  for _ in $(seq 1 40); do
    curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && exit 0
    kill -0 "$(cat "$DIR/registry.pid")" 2>/dev/null || break
    sleep 0.25
  done
  echo "registry did not start; its log:" >&2; cat "$DIR/registry.log" >&2; exit 1 ;;
stop)
  if [ -f "$DIR/registry.pid" ]; then
    pid=$(cat "$DIR/registry.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$DIR/registry.pid"
  fi ;;
*) echo "usage: loopback_registry.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
