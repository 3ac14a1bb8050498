#!/bin/bash
# Issue 11's acceptance suite: every Containerfile under cases/ is built for real with podman
# (--isolation=chroot, overlay or else vfs storage, a private store, local base images only), before and after `okdlint fix`
# and `okdlint fix --unsafe-fixes`; the fixed images that must serve are run as OKD runs them
# (okd-run.py: uid 1000770000, gid 0, no capabilities, no_new_privs) and must answer.
#   run.sh /path/to/okdlint [CASE...]
# Per case and output (orig, safe, unsafe) it asserts:
#   - the fixed file parses, and fixing it again changes nothing (idempotent);
#   - no finding the applied fixes claimed to fix remains;
#   - the Containerfile builds;
#   - no fix made a file or dir under /usr /bin /sbin /lib* /etc /root, or any executable file,
#     group-writable that was not in the original image (OKD runs every process in group 0);
#   - where the header says so (`# okd-answers: safe unsafe`), the image answers the header's
#     probe (`# serves: http PORT PATH TEXT` or `# serves: tcp PORT SEND TEXT`) when run as OKD.
#     PORT is the original's; where a fix remapped EXPOSE of PORT, the remapped port is probed.
# known-failures lists `CASE STEP` pairs (or `CASE *`) that fail today because of okdlint bugs not
# fixed yet: they are reported as XFAIL with their error (XPASS once they pass) and do not fail the suite.
# Base images and built images are cached in ${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}/acceptance-KEY
# (KEY: hash of bases/, the Debian minbase tarball and busybox); a built image is reused when its
# Containerfile and context hash the same. Exit 0 pass, 1 fail, 77 skipped (never when CI is set).
set -uo pipefail
OKDLINT=$(realpath "${1:?usage: run.sh /path/to/okdlint [CASE...]}"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL: $* (CI is set: this suite must not be skipped)"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (podman's chroot isolation, chroot to run the images)"
for tool in podman python3 curl nsenter setsid flock sha256sum busybox; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (tools/setup-debian.sh installs it)"
done
file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked' ||
  [ "$(ldd "$(command -v busybox)" 2>&1 | grep -c 'not a dynamic')" = 1 ] ||
  skip "busybox is not static (apt-get install busybox-static)"

T0=$(date +%s)
CACHE=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
mkdir -p "$CACHE"
MINBASE=$(bash "$REPO/tools/debian-minbase.sh" bookworm) || { echo "FAIL: tools/debian-minbase.sh"; exit 1; }
BUSYBOX=$(command -v busybox)
DRIVER=$(bash "$REPO/tests/support/podman-driver.sh")   # overlay where it works, else vfs
base_key=$( (stat -c '%s %Y' "$MINBASE"; sha256sum < "$BUSYBOX"; echo "imports-v1 $DRIVER") | sha256sum | cut -c1-16)
STORE=$CACHE/acceptance-$base_key
exec 9>"$CACHE/.acceptance.lock"
flock 9   # one run at a time per cache: the store and its bases are shared
for old in "$CACHE"/acceptance-*; do
  [ -d "$old" ] && [ "$old" != "$STORE" ] && { echo "removing the stale store $old"; rm -rf --one-file-system "$old"; }
done
# podman wants a runroot shorter than 50 characters; its state is per boot anyway
P=(podman --root "$STORE/root" --runroot "/tmp/okdlint-acc-$base_key" --storage-driver "$DRIVER" --cgroup-manager cgroupfs
   --events-backend file)
export CONTAINERS_REGISTRIES_CONF=$HERE/registries.conf
[ -f /etc/containers/policy.json ] || { mkdir -p /etc/containers
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > /etc/containers/policy.json; }
WORK=$(mktemp -d /tmp/okdlint-acceptance.XXXXXX)
RUNNING=
cleanup() {
  [ -n "$RUNNING" ] && { kill -KILL -- -"$RUNNING" 2>/dev/null; wait "$RUNNING" 2>/dev/null; }
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# --- base images -----------------------------------------------------------------------------
import_root() {  # DIR NAME [--change …]: a single-layer image from a directory
  local dir=$1 name=$2; shift 2
  tar -C "$dir" --numeric-owner -cf - . | "${P[@]}" import -q "$@" - "$name" >/dev/null
}
make_bases() {  # the imported roots once per store; each derived base when its recipe or parent changed
  local b=$WORK/bases r d h
  mkdir -p "$b"
  if [ ! -f "$STORE/imports.done" ]; then
    echo "importing the base roots (once; cached in $STORE)"
    # debian: the debootstrap minbase without docs, man pages, locales and apt lists (smaller vfs copies)
    # (chmod: the tarball's own root entry is 0700, from debootstrap's mktemp dir; / is 0755 in images)
    mkdir "$b/debian" && tar -C "$b/debian" -xf "$MINBASE" && chmod 0755 "$b/debian" &&
      rm -rf "$b/debian"/usr/share/{doc,man,locale,info} "$b/debian"/var/lib/apt/lists/* &&
      mkdir -p "$b/debian/var/lib/apt/lists/partial" &&
      import_root "$b/debian" localhost/okd-acc/debian:12 --change 'CMD ["bash"]' || return 1
    # busybox: the static busybox and a link per applet
    r=$b/busybox
    mkdir -p "$r"/{bin,etc,root,tmp,usr/bin,var/www} && cp "$BUSYBOX" "$r/bin/busybox" || return 1
    for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
    ln -s ../../bin/env "$r/usr/bin/env"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' > "$r/etc/group"
    chmod 1777 "$r/tmp"; chmod 0700 "$r/root"
    import_root "$r" localhost/okd-acc/busybox --change 'CMD ["sh"]' || return 1
    # distroless: no shell at all
    r=$b/distroless
    mkdir -p "$r"/{etc,root,tmp,home/nonroot}
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' > "$r/etc/group"
    chmod 1777 "$r/tmp"; chmod 0700 "$r/root" "$r/home/nonroot"; chown 65532:65532 "$r/home/nonroot"
    import_root "$r" localhost/okd-acc/distroless --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' || return 1
    import_root "$r" localhost/okd-acc/distroless-nonroot --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
      --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' || return 1
    rm -rf --one-file-system "$b"; mkdir -p "$b"
    touch "$STORE/imports.done"
  fi
  for d in debian-pkgs nginx redis s2i-python; do
    # key: the recipe's files and the parent image's id
    parent=$(sed -n 's/^FROM //p' "$HERE/bases/$d/Containerfile" | head -n 1)
    h=$( (cd "$HERE/bases/$d" && find . -type f | LC_ALL=C sort | xargs sha256sum
          "${P[@]}" image inspect --format '{{.Id}}' "$parent") | sha256sum | cut -c1-16)
    if ! "${P[@]}" image exists "localhost/okd-acc/$d:$h"; then
      echo "  building the base $d"
      "${P[@]}" build --pull=never --isolation=chroot -t "localhost/okd-acc/$d:$h" "$HERE/bases/$d" \
        > "$WORK/base-$d.log" 2>&1 || { tail -n 30 "$WORK/base-$d.log"; return 1; }
    fi
    "${P[@]}" tag "localhost/okd-acc/$d:$h" "localhost/okd-acc/$d:latest" || return 1
  done
}
make_bases && "${P[@]}" tag localhost/okd-acc/debian:12 localhost/okd-acc/debian:latest ||
  { echo "FAIL: making the base images"; exit 1; }

# The Docker Hub proxy okdlint's fixes pull through: `FROM docker.io/library/busybox:1.36` → PROXY/library/busybox:1.36
mkdir -p "$WORK/proxy"; echo 'FROM docker.io/library/busybox:1.36' > "$WORK/proxy/Containerfile"
"$OKDLINT" fix --write "$WORK/proxy/Containerfile" >/dev/null 2>&1
PROXY=$(sed -n 's#^FROM \(.*\)/library/busybox:1\.36$#\1#p' "$WORK/proxy/Containerfile")
[ -n "$PROXY" ] || PROXY=docker.io
echo "proxy: $PROXY"
while read -r image names; do
  case $image in ''|\#*) continue ;; esac
  all=()
  for n in $names; do
    all+=("$n"); case $n in docker.io/*) all+=("$PROXY/${n#docker.io/}") ;; esac
  done
  "${P[@]}" tag "localhost/okd-acc/$image" "${all[@]}" >/dev/null || { echo "FAIL: podman tag $image ${all[*]}"; exit 1; }
done < "$HERE/bases/tags"
# Debian 12's podman 4.3 (buildah 1.28) predates Containerfile heredocs (buildah 1.33).
PODMAN_VERSION="podman $("${P[@]}" version --format '{{.Client.Version}}' 2>/dev/null)"
mkdir -p "$WORK/heredoc"; printf 'FROM scratch\nCOPY <<EOF /probe\nok\nEOF\n' > "$WORK/heredoc/Containerfile"
HEREDOCS=no
if "${P[@]}" build --pull=never --isolation=chroot -t localhost/acc-heredoc-probe "$WORK/heredoc" >/dev/null 2>&1; then
  HEREDOCS=yes; "${P[@]}" rmi -f localhost/acc-heredoc-probe >/dev/null 2>&1
fi
echo "$PODMAN_VERSION ($DRIVER storage); heredocs: $HEREDOCS"
echo "bases ready after $(( $(date +%s) - T0 )) s"

# --- helpers ---------------------------------------------------------------------------------
header() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }
json_rules() {  # FILE FIXKIND(any|safe|unsafe|none) [okdlint args]: the rule ids of its findings, one a line
  local f=$1 kind=$2; shift 2
  "$OKDLINT" --format json --failure-threshold none "$@" "$f" 2>/dev/null | python3 -c '
import json, sys
kind = sys.argv[1]
for d in json.load(sys.stdin):
    fix = d.get("fix") or {}
    fixable = bool(fix.get("edits"))
    if kind == "any" or (kind == "none" and not fixable) or (fixable and kind == "unsafe") or \
            (fixable and kind == "safe" and fix.get("applicability") == "safe"):
        print(d["rule"])' "$kind"
}
gw_list() {  # IMAGE: group-writable system files and dirs, and group-writable executables
  local m; m=$("${P[@]}" image mount "$1") || return 1
  (cd "$m" && { find usr bin sbin lib lib32 lib64 libx32 etc root -xdev \( -type f -o -type d \) -perm -g+w 2>/dev/null
                find . -xdev -type f -perm -g+w -perm /111 2>/dev/null | sed 's#^\./##'; } | LC_ALL=C sort -u)
  "${P[@]}" image unmount "$1" >/dev/null
}
content_key() {  # DIR: hash of every file's path and content
  (cd "$1" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum) | sha256sum | cut -c1-32
}
exposed() { "${P[@]}" image inspect --format '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}' "$1"; }
probe() {  # PID KIND PORT ARG TEXT
  local pid=$1 kind=$2 port=$3 arg=$4 text=$5 out
  if [ "$kind" = http ]; then
    out=$(nsenter --net=/proc/"$pid"/ns/net curl -sS --max-time 3 "http://127.0.0.1:$port$arg" 2>&1)
  else
    out=$(nsenter --net=/proc/"$pid"/ns/net python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(sys.argv[2].encode() + b"\r\n"); print(s.recv(4096).decode(errors="replace"))' "$port" "$arg" 2>&1)
  fi
  PROBE_OUT=$out
  [[ $out == *"$text"* ]]
}
run_as_okd() {  # IMAGE DIR KIND PORT ARG TEXT: run the image as OKD and probe it; sets WHY on failure
  local img=$1 dir=$2 kind=$3 port=$4 arg=$5 text=$6 m pid st
  rm -rf --one-file-system "$dir"; mkdir -p "$dir"
  m=$("${P[@]}" image mount "$img") || { WHY="podman image mount failed"; return 1; }
  cp -a "$m" "$dir/rootfs"; "${P[@]}" image unmount "$img" >/dev/null
  "${P[@]}" image inspect "$img" > "$dir/config.json"
  python3 "$HERE/okd-run.py" "$dir/rootfs" "$dir/config.json" "$dir/log" &
  pid=$!; RUNNING=$pid
  local ok=1
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then WHY="the process exited: $(tail -n 5 "$dir/log" | tr '\n' ' ')"; ok=0; break; fi
    if [ -e /proc/$pid/ns/net ] && [ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
       probe "$pid" "$kind" "$port" "$arg" "$text"; then
      st=$(cat /proc/$pid/status)
      if ! grep -qP '^Uid:\t1000770000\t1000770000\t1000770000\t1000770000$' <<<"$st" ||
         ! grep -qP '^Gid:\t0\t0\t0\t0$' <<<"$st" || ! grep -qP '^Groups:\s*$' <<<"$st" ||
         ! grep -qP '^NoNewPrivs:\t1$' <<<"$st" ||
         grep -P '^Cap(Inh|Prm|Eff|Bnd|Amb):' <<<"$st" | grep -qv '0000000000000000'; then
        WHY="the process does not run as OKD would: $(grep -P '^(Uid|Gid|Groups|NoNewPrivs|Cap)' <<<"$st" | tr '\n\t' '  ')"; ok=0
      fi
      break
    fi
    sleep 0.5
  done
  if [ $ok = 1 ] && ! [[ $PROBE_OUT == *"$text"* ]]; then
    WHY="no answer on port $port within 30 s (last: $(tr '\n' ' ' <<<"${PROBE_OUT:-nothing}" | cut -c1-200); log: $(tail -n 5 "$dir/log" | tr '\n' ' '))"; ok=0
  fi
  kill -TERM -- -"$pid" 2>/dev/null; sleep 0.3; kill -KILL -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  RUNNING=
  rm -rf --one-file-system "$dir/rootfs"
  [ $ok = 1 ]
}

# --- the cases -------------------------------------------------------------------------------
declare -A KNOWN=()
while read -r c s reason; do
  case $c in ''|\#*) continue ;; esac
  KNOWN["$c $s"]=$reason
done < "$HERE/known-failures"
result() {  # CASE STEP OK|message: prints PASS-less steps only; returns 1 on a failure
  local c=$1 s=$2 msg=$3 k="$1 $2"
  [ -z "${KNOWN[$c *]+x}" ] || k="$c *"   # `CASE *`: every step of the case
  if [ "$msg" = OK ]; then
    [ -z "${KNOWN[$k]+x}" ] || [ "$k" = "$c *" ] || echo "  XPASS $c $s (listed in known-failures: remove it)"
    return 0
  fi
  if [ -n "${KNOWN[$k]+x}" ]; then echo "  XFAIL $c $s: $msg"; else echo "  FAIL $c $s: $msg"; fi
  return 1
}
build_error() {  # LOG: the failing command's own message and podman's summary, on one line
  { grep -E -m 2 'Operation not permitted|[Pp]ermission denied|No such file|cannot |: not found|[Ii]nvalid' "$1"
    grep -E '^Error' "$1" | tail -n 1; } | tr '\n' ' ' | cut -c1-600
}

run_case() {  # CASE: all the checks of one case; output on stdout
  local c=$1 src=$HERE/cases/$1 t kind port arg text answers must_not_add nobuild case_ok v d st key img
  local -A IMG=()
  RUNNING=
  trap '[ -n "$RUNNING" ] && kill -KILL -- -"$RUNNING" 2>/dev/null' EXIT
  [ -f "$src/Containerfile" ] || { echo "  FAIL $c: no such case"; return; }
  t=$(date +%s)
  echo "== $c: $(header "$src/Containerfile" acceptance)"
  read -r kind port arg text <<<"$(header "$src/Containerfile" serves)"
  answers=$(header "$src/Containerfile" okd-answers)
  must_not_add=$(header "$src/Containerfile" fix-must-not-add)
  nobuild=
  case $(header "$src/Containerfile" needs) in
    windows) nobuild="a Windows image cannot be built on Linux" ;;
    heredoc) [ "$HEREDOCS" = yes ] || nobuild="$PODMAN_VERSION cannot build heredocs (buildah < 1.33)" ;;
  esac
  [ -z "$nobuild" ] || echo "  NOBUILD $c: $nobuild; its fixes are checked as text only"
  case_ok=1
  for v in orig safe unsafe; do
    d=$WORK/$c/$v; mkdir -p "$d"; cp -a "$src/." "$d/"
    fixargs=(); [ $v = unsafe ] && fixargs=(--unsafe-fixes)
    if [ $v != orig ]; then
      "$OKDLINT" fix --write "${fixargs[@]}" "$d/Containerfile" > "$d.fix.log" 2>&1
      st=$?
      result "$c" "$v-fix" "$([ $st -le 1 ] && echo OK || echo "okdlint fix exited $st: $(tr '\n' ' ' < "$d.fix.log")")" || { case_ok=0; continue; }
      diff "$src/Containerfile" "$d/Containerfile" | sed -n 's/^> /  '"$v"' adds: /p'
      # it parses, and a second fix changes nothing
      if json_rules "$d/Containerfile" any | grep -qx OKD001; then result "$c" "$v-parse" "the fixed file does not parse" || case_ok=0; fi
      "$OKDLINT" fix --check "${fixargs[@]}" "$d/Containerfile" > "$d.fix2.log" 2>&1
      result "$c" "$v-idempotent" "$([ $? = 0 ] && echo OK || echo "fixing the fixed file again changes it: $(head -c 400 "$d.fix2.log" | tr '\n' ' ')")" || case_ok=0
      # no finding the applied fixes claimed to fix remains: per rule, at most the unfixable ones
      claimed=$(json_rules "$src/Containerfile" "$([ $v = unsafe ] && echo unsafe || echo safe)" | sort | uniq -c)
      left=""
      while read -r n rule; do
        [ -n "$rule" ] || continue
        before=$(json_rules "$src/Containerfile" any | grep -cx "$rule")
        after=$(json_rules "$d/Containerfile" any | grep -cx "$rule")
        [ "$after" -le $((before - n)) ] || left+="$rule: $after of $before left after fixing $n; "
      done <<<"$claimed"
      result "$c" "$v-converges" "${left:-OK}" || case_ok=0
      if [ -n "$must_not_add" ]; then
        added=$(diff "$src/Containerfile" "$d/Containerfile" | sed -n 's/^> //p' | grep -E -- "$must_not_add" | head -n 3 | tr '\n' ' ')
        result "$c" "$v-adds" "$([ -z "$added" ] && echo OK || echo "the fix added lines matching /$must_not_add/: $added")" || case_ok=0
      fi
    fi
    [ -z "$nobuild" ] || continue
    key=$(content_key "$d")
    img=localhost/acc-built:$key
    echo "$img" >> "$WORK/used"
    if ! "${P[@]}" image exists "$img"; then
      "${P[@]}" build --pull=never --isolation=chroot --layers -t "$img" -f "$d/Containerfile" "$d" > "$d.build.log" 2>&1
      st=$?
    else st=0; fi
    result "$c" "$v-build" "$([ $st = 0 ] && echo OK || echo "podman build failed: $(build_error "$d.build.log")")" || { case_ok=0; continue; }
    IMG[$v]=$img
  done
  # no fix made system files or executables group-writable
  if [ -n "${IMG[orig]:-}" ]; then
    gw_list "${IMG[orig]}" > "$WORK/$c/gw.orig"
    for v in safe unsafe; do
      [ -n "${IMG[$v]:-}" ] || continue
      gw_list "${IMG[$v]}" > "$WORK/$c/gw.$v"
      new=$(LC_ALL=C comm -13 "$WORK/$c/gw.orig" "$WORK/$c/gw.$v" | head -n 8 | tr '\n' ' ')
      result "$c" "$v-groupwritable" "$([ -z "$new" ] && echo OK || echo "made group-writable: $new")" || case_ok=0
    done
  fi
  # the fixed images that must serve answer when run as OKD
  for v in $answers; do
    [ -n "${IMG[$v]:-}" ] || continue
    p=$port
    if [ -n "${IMG[orig]:-}" ]; then
      eo=$(exposed "${IMG[orig]}"); ev=$(exposed "${IMG[$v]}")
      if [[ " $eo " == *" $port/tcp "* && " $ev " != *" $port/tcp "* ]]; then
        remapped=$(for x in $ev; do [[ " $eo " == *" $x "* ]] || echo "${x%/tcp}"; done)
        [ "$(wc -w <<<"$remapped")" = 1 ] && p=$remapped
      fi
    fi
    WHY=
    run_as_okd "${IMG[$v]}" "$WORK/$c/run-$v" "$kind" "$p" "$arg" "$text"
    result "$c" "$v-serves" "$([ -z "$WHY" ] && echo OK || echo "run as uid 1000770000 gid 0, $kind :$p: $WHY")" || case_ok=0
    [ -z "$WHY" ] && echo "  $v answers on :$p as uid 1000770000 gid 0"
  done
  [ $case_ok = 1 ] && echo "  PASS $c ($(( $(date +%s) - t )) s)"
  [ $case_ok = 1 ] || echo "  DONE $c ($(( $(date +%s) - t )) s)"
}

# Cases run JOBS at a time (podman's store takes concurrent builds); each prints when it is done.
JOBS=${OKDLINT_ACCEPTANCE_JOBS:-3}
: > "$WORK/used"
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(cd "$HERE/cases" && ls -d */ | tr -d /)
for c in "${cases[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  ( run_case "$c" > "$WORK/$c.out" 2>&1; cat "$WORK/$c.out" ) &
done
wait
for c in "${cases[@]}"; do cat "$WORK/$c.out"; done > "$WORK/all.out"
count() { grep -c "^  $1 " "$WORK/all.out"; }
PASSES=$(count PASS); FAILS=$(count FAIL); XFAILS=$(count XFAIL); XPASSES=$(count XPASS)
NOBUILDS=$(grep "^  NOBUILD " "$WORK/all.out" | awk '{print $2}' | tr -d : | tr '\n' ' ')
mapfile -t USED < "$WORK/used"

# Keep the cache to the images this run used.
if [ $# -eq 0 ]; then
  for i in $("${P[@]}" images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/acc-built:'); do
    [[ " ${USED[*]} " == *" $i "* ]] || "${P[@]}" rmi -f "$i" >/dev/null 2>&1
  done
  "${P[@]}" image prune -f >/dev/null 2>&1
fi
[ -z "$NOBUILDS" ] || echo "checked as text only (not built): $NOBUILDS"
echo "acceptance: ${#cases[@]} cases, $PASSES pass; $FAILS failures, $XFAILS known failures, $XPASSES known failures now passing; $(( $(date +%s) - T0 )) s"
[ $FAILS = 0 ]
