#!/bin/bash
# Copied from the project's shared test scripts (run-as-okd.sh); kept here because a clone has no ../shared.
# Runs an image's process the way OKD's restricted-v2 SCC does: a uid outside /etc/passwd
# (default 1000770000), gid 0, no supplementary groups, no capabilities, no_new_privs, HOME=/.
# The image (an OCI layout, e.g. from `skopeo copy … oci:DIR:TAG` or `okdlint rewrite --output-format oci`)
# is unpacked with umoci into WORKDIR/bundle and its Entrypoint+Cmd, Env and WorkingDir are used.
# Needs root, umoci, jq on the host, and setpriv (util-linux) inside the image, as Debian and UBI
# images have (the switch must happen after chroot). Tested on Debian 12.
#   run-as-okd.sh start LAYOUT_DIR:TAG WORKDIR [UID]   # starts it in the background; output in WORKDIR/process.log
#   run-as-okd.sh stop WORKDIR                          # stops it, unmounts, prints the process output
# Between the two, probe the service (e.g. curl http://127.0.0.1:8080/). Exit status of start: 0
# when the process is still alive after 3 s, 1 when it already exited (its output is then printed).
set -uo pipefail
cmd=${1:-}; shift || true
case $cmd in
start)
  ref=${1:?image}; W=${2:?workdir}; uid=${3:-1000770000}
  mkdir -p "$W"; B=$W/bundle; R=$B/rootfs; rm -rf "$B"
  umoci unpack --image "$ref" "$B" >/dev/null || { echo "run-as-okd.sh: umoci unpack failed" >&2; exit 2; }
  mapfile -t args < <(jq -r '.process.args[]' "$B/config.json")
  cwd=$(jq -r '.process.cwd' "$B/config.json")
  mapfile -t envs < <(jq -r '.process.env[] | select(startswith("HOME=")|not)' "$B/config.json")
  [ -x "$R/usr/bin/setpriv" ] || { echo "run-as-okd.sh: the image has no /usr/bin/setpriv" >&2; exit 2; }
  mount -t proc proc "$R/proc" && mount --bind /dev "$R/dev" && mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
  setsid chroot "$R" /usr/bin/setpriv --reuid="$uid" --regid=0 --clear-groups \
    --inh-caps=-all --ambient-caps=-all --bounding-set=-all --no-new-privs -- \
    /usr/bin/env -i -C "$cwd" "${envs[@]}" HOME=/ "${args[@]}" >"$W/process.log" 2>&1 &
  echo $! > "$W/pid"; sleep 3
  if kill -0 "$(cat "$W/pid")" 2>/dev/null; then exit 0; fi
  "$0" stop "$W"; exit 1 ;;
stop)
  W=${1:?workdir}; R=$W/bundle/rootfs
  if [ -f "$W/pid" ]; then
    g=$(ps -o pgid= -p "$(cat "$W/pid")" 2>/dev/null | tr -d ' ')
    [ -n "$g" ] && { kill -TERM -- -"$g" 2>/dev/null; sleep 1; kill -KILL -- -"$g" 2>/dev/null; }
    rm -f "$W/pid"
  fi
  umount "$R/dev/shm" 2>/dev/null; umount "$R/dev" 2>/dev/null; umount "$R/proc" 2>/dev/null
  cat "$W/process.log" 2>/dev/null; exit 0 ;;
*) sed -n '2,12p' "$0"; exit 2 ;;
esac
