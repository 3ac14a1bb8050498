#!/bin/bash
# okdlint rewrite against real tools: skopeo inspects every output format; the rewritten image is
# pushed (okdlint --push, and skopeo for the docker-archive) to Debian's docker-registry on
# 127.0.0.1, pulled back and unpacked with umoci; the unpacked tree shows group 0 and g=u where the
# random uid must write, content and xattrs intact, hardlinks still linked, capabilities dropped,
# the listen ports remapped; the base layers keep their digests in the registry; the input is not
# modified; the same input and options give the same bytes. Usage: image_rewrite_registry.sh OKDLINT
set -euo pipefail
OKDLINT=${1:?usage: image_rewrite_registry.sh /path/to/okdlint}
HERE=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (umoci unpack keeps ownership, setcap)"
for tool in umoci skopeo setcap python3 curl docker-registry; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
command -v busybox >/dev/null && file -L "$(command -v busybox)" | grep -q 'statically linked' ||
  skip "no static busybox (apt-get install busybox-static)"

WORK=$(mktemp -d)
cleanup() {
  bash "$HERE/../loopback_registry.sh" stop "$WORK/registry" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }
sk() { skopeo "${POLICY[@]}" "$@"; }

bash "$HERE/../make_rewrite_fixture.sh" "$WORK/fixture" > "$WORK/fixture.log" 2>&1 || { cat "$WORK/fixture.log"; fail "fixture"; }
INPUT=$WORK/fixture/app.oci.tar
before=$(sha256sum "$INPUT" | cut -d' ' -f1)

echo "--- every output format, inspected by skopeo"
for format in oci-archive docker-archive oci; do
  "$OKDLINT" rewrite "$INPUT" -o "$WORK/out.$format" --output-format "$format" --unsafe-fixes --tag okd/app:fixed \
    2> "$WORK/rewrite.err" || { cat "$WORK/rewrite.err"; fail "rewrite to $format"; }
  sk inspect --config "$format:$WORK/out.$format" > "$WORK/config.$format.json" || fail "skopeo inspect $format"
  python3 - "$WORK/config.$format.json" <<'PY' || fail "config of the $format output"
import json, sys
config = json.load(open(sys.argv[1]))
c = config["config"]
assert c["User"] == "1001:0", c["User"]
assert sorted(c["ExposedPorts"]) == ["8080/tcp"], c["ExposedPorts"]
assert config["history"][-1]["created_by"] == "okdlint rewrite", config["history"][-1]
assert len(config["rootfs"]["diff_ids"]) == 3, config["rootfs"]
PY
  echo "$format: skopeo inspect ok"
done
grep -q '"org.opencontainers.image.ref.name":"okd/app:fixed"' "$WORK/out.oci/index.json" || fail "layout index ref name"

echo "--- input untouched, output deterministic"
[ "$(sha256sum "$INPUT" | cut -d' ' -f1)" = "$before" ] || fail "the input changed"
"$OKDLINT" rewrite "$INPUT" -o "$WORK/again.oci-archive" --unsafe-fixes --tag okd/app:fixed 2>/dev/null
cmp "$WORK/out.oci-archive" "$WORK/again.oci-archive" || fail "two rewrites differ"
echo "same bytes twice; input sha256 unchanged"

echo "--- okdlint on the input and on the output"
set +e
"$OKDLINT" --format json "$INPUT" > "$WORK/lint-input.json"
input_status=$?
"$OKDLINT" --format json "$WORK/out.oci-archive" > "$WORK/lint.json"
status=$?
set -e
[ "$input_status" -le 1 ] && [ "$status" -le 1 ] || fail "okdlint --format json exited $input_status / $status"
# The rules the rewrite fixes (user, privileges with --unsafe-fixes, ports, group-writable paths)
# must not fire on its output; the world-writable directory is kept on purpose. When the image rules
# report nothing on the input (not written yet), the output is only checked to parse.
python3 - "$WORK/lint-input.json" "$WORK/lint.json" <<'PY' || fail "okdlint still reports fixed rules on the output"
import json, sys
fixed = {"OKD101", "OKD102", "OKD103", "OKD104", "OKD105", "OKD201", "OKD202", "OKD302", "OKD304"}
before = {d["rule"] for d in json.load(open(sys.argv[1]))}
after = [d for d in json.load(open(sys.argv[2])) if d["rule"] in fixed]
print("input reports:", ", ".join(sorted(before)) or "nothing")
for d in after:
    print("still reported:", d["rule"], d["message"])
sys.exit(1 if after else 0)
PY
echo "okdlint --format json OUT: exit $status, none of the fixed rules reported"

echo "--- push to a loopback registry, pull back"
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
bash "$HERE/../loopback_registry.sh" start "$WORK/registry" "$PORT"
REG=127.0.0.1:$PORT
if [ ${#POLICY[@]} -eq 0 ]; then
  "$OKDLINT" rewrite "$INPUT" -o "$WORK/pushed.oci.tar" --unsafe-fixes --tag okd/app:fixed --push "$REG/okd/app:fixed" \
    --push-tls-verify=false
else  # no system policy.json: okdlint's skopeo would refuse, so push with the test's policy
  "$OKDLINT" rewrite "$INPUT" -o "$WORK/pushed.oci.tar" --unsafe-fixes --tag okd/app:fixed
  sk copy -q --dest-tls-verify=false oci-archive:"$WORK/pushed.oci.tar" "docker://$REG/okd/app:fixed"
fi
sk copy -q --dest-tls-verify=false docker-archive:"$WORK/out.docker-archive" "docker://$REG/okd/app:docker"
sk copy -q --src-tls-verify=false "docker://$REG/okd/app:docker" oci:"$WORK/pulled-docker":docker
sk copy -q --src-tls-verify=false "docker://$REG/okd/app:fixed" oci:"$WORK/pulled":fixed
umoci unpack --image "$WORK/pulled:fixed" "$WORK/bundle" > /dev/null
umoci unpack --image "$WORK/pulled-docker:docker" "$WORK/bundle-docker" > /dev/null

echo "--- base layers keep their digests in the registry"
sk inspect --raw --tls-verify=false "docker://$REG/okd/app:fixed" > "$WORK/pulled-manifest.json"
python3 - "$WORK/fixture/oci" "$WORK/pulled-manifest.json" <<'PY' || fail "base-layer digests"
import json, os, sys
layout, pulled = sys.argv[1], json.load(open(sys.argv[2]))
index = json.load(open(os.path.join(layout, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
original = json.load(open(os.path.join(layout, "blobs", "sha256", digest)))
base = [l["digest"] for l in original["layers"]]
got = [l["digest"] for l in pulled["layers"]]
assert got[: len(base)] == base, (got, base)
assert len(got) == len(base) + 1, got
assert pulled["layers"][-1]["mediaType"].endswith("tar.gzip") or pulled["layers"][-1]["mediaType"].endswith("tar+gzip")
print("base layers unchanged:", ", ".join(d[:19] for d in base), "+ new", got[-1][:19])
PY

echo "--- the unpacked image"
for root in "$WORK/bundle/rootfs" "$WORK/bundle-docker/rootfs"; do
  python3 - "$root" <<'PY' || fail "unpacked tree $root"
import os, stat, sys
root = sys.argv[1]
def st(p): return os.lstat(os.path.join(root, p.lstrip("/")))
def check(path, uid, gid, mode):
    s = st(path)
    got = (s.st_uid, s.st_gid, stat.S_IMODE(s.st_mode))
    assert got == (uid, gid, mode), f"{path}: {got[0]}:{got[1]} {got[2]:o}, want {uid}:{gid} {mode:o}"
check("/srv/app", 1001, 0, 0o775)
check("/home/app", 1001, 0, 0o775)
check("/srv/data", 1001, 0, 0o775)               # the volume, created
check("/srv/app/data.txt", 1001, 0, 0o664)
check("/srv/app/data-link.txt", 1001, 0, 0o664)
check("/srv/shared", 0, 0, 0o777)                # world-writable without sticky: left as it is
check("/usr/local/bin/ping-tool", 0, 0, 0o755)   # setuid dropped (--unsafe-fixes)
check("/etc/passwd", 0, 0, 0o644)
assert open(os.path.join(root, "srv/app/data.txt")).read() == "application data\n"
assert os.getxattr(os.path.join(root, "srv/app/data.txt"), "user.okd") == b"kept"
assert st("/srv/app/data.txt").st_ino == st("/srv/app/data-link.txt").st_ino, "data.txt hardlink broken"
assert st("/usr/local/bin/ping-tool").st_ino == st("/usr/local/bin/ping-tool-link").st_ino, "ping-tool hardlink broken"
assert open(os.path.join(root, "usr/local/bin/ping-tool")).read() == "#!/bin/sh\necho ping\n"
try:
    os.getxattr(os.path.join(root, "usr/local/bin/ping-tool"), "security.capability")
    raise AssertionError("ping-tool still has file capabilities")
except OSError:
    pass
httpd = open(os.path.join(root, "etc/httpd/conf/httpd.conf")).read()
assert "Listen 8080\n" in httpd and "<VirtualHost *:8080>" in httpd and "Listen 80\n" not in httpd, httpd
nginx = open(os.path.join(root, "etc/nginx/conf.d/default.conf")).read()
assert "listen 8080;" in nginx and "listen [::]:8080 default_server;" in nginx, nginx
assert open(os.path.join(root, "www/index.html")).read() == "<h1>okd rewrite fixture</h1>\n"
print(root.split("/")[-2], "ok: groups, modes, content, xattrs, hardlinks, capabilities, listen ports")
PY
done
python3 -c "
import json,sys
p = json.load(open(sys.argv[1]))['process']['user']
assert (p['uid'], p['gid']) == (1001, 0), p
" "$WORK/bundle/config.json" || fail "runtime user"

echo "--- the image reader's own fixture, from every input form"
if [ -f "$HERE/../make_test_image.sh" ]; then
  bash "$HERE/../make_test_image.sh" "$WORK/reader" > "$WORK/reader.log" 2>&1 || { cat "$WORK/reader.log"; fail "make_test_image.sh"; }
  for input in img.oci.tar img.docker.tar img.docker.tar.gz img.legacy.tar img.docker25.tar oci zstd; do
    "$OKDLINT" rewrite "$WORK/reader/$input" -o "$WORK/reader-out.tar" 2> "$WORK/rewrite.err" ||
      { cat "$WORK/rewrite.err"; fail "rewrite of $input"; }
    sk inspect oci-archive:"$WORK/reader-out.tar" > /dev/null || fail "skopeo inspect of the rewrite of $input"
    sk copy -q --dest-tls-verify=false oci-archive:"$WORK/reader-out.tar" "docker://$REG/okd/reader:latest" ||
      fail "push of the rewrite of $input"
  done
  echo "rewrote and pushed every input form of tests/make_test_image.sh"
else
  echo "tests/make_test_image.sh is absent: skipping the reader fixture's input forms"
fi

if command -v podman >/dev/null; then
  # A private store with the vfs driver: no overlay mounts, nothing left in the host's storage.
  podman_store=(--root "$WORK/podman-root" --runroot "$WORK/podman-run" --storage-driver vfs)
  podman "${podman_store[@]}" load -i "$WORK/out.oci-archive" || fail "podman load"
  podman "${podman_store[@]}" images --format '{{.Repository}}:{{.Tag}} {{.ID}}' || fail "podman images"
  podman "${podman_store[@]}" rmi -a -f >/dev/null 2>&1 || true
  echo "podman load ok"
else
  echo "podman is not installed: podman load not tried"
fi
echo "PASS"
