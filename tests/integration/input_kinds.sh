#!/bin/bash
# What is not a Containerfile is never linted as one: a damaged or unrecognised archive, an ELF
# binary, a registry manifest, binary data. lint, fix and parse each print one line
# `okdlint: FILE: what it is and why it cannot be read` on stderr, nothing on stdout, and exit 2;
# fix and parse refuse a readable image too, rewrite refuses a Containerfile. Real Containerfiles
# with a BOM, CRLF, odd UTF-8 and NULs inside are still linted. A truncated 200 MB oci-archive
# fails fast in bounded memory. The archives come from tests/make_test_image.sh, cut short.
# Usage: input_kinds.sh /path/to/okdlint
set -euo pipefail
okdlint=$(realpath "${1:?usage: input_kinds.sh /path/to/okdlint}")
here=$(cd "$(dirname "$0")/.." && pwd)
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL: $* (CI runs every test)" >&2; exit 1; fi
  echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (tests/make_test_image.sh sets ownership and capabilities)"
for tool in umoci skopeo setcap python3; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$here/make_test_image.sh" "$work/img" > "$work/fixture.log" 2>&1 || { cat "$work/fixture.log"; fail "fixture"; }
cd "$work"

# --- the bad inputs ---
size=$(stat -c %s img/img.oci.tar)
head -c $((size / 2 + 100)) img/img.oci.tar > truncated.oci.tar
size=$(stat -c %s img/img.docker.tar)
head -c $((size * 3 / 5 + 7)) img/img.docker.tar > short.docker.tar
python3 - <<'PY'
import io, tarfile
with tarfile.open("dotdot.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    data = b'{"schemaVersion": 2, "manifests": []}'
    info = tarfile.TarInfo("index.json"); info.size = len(data); t.addfile(info, io.BytesIO(data))
    info = tarfile.TarInfo("../escape"); info.size = 4; t.addfile(info, io.BytesIO(b"evil"))
with tarfile.open("empty.tar", "w"):  # an archive with no entries: only zero blocks
    pass
PY
: > zero-bytes.tar
cp "$(command -v ls)" ls.bin
manifest=$(python3 -c 'import json; print(json.load(open("img/oci/index.json"))["manifests"][0]["digest"].split(":")[1])')
cp "img/oci/blobs/sha256/$manifest" manifest.json
printf 'okdlint\0\001\002binary\0\0\0\377\376data' > data.bin
printf 'FROM x\n' | gzip > text.gz

expect_refused() {  # FILE PATTERN: lint, fix and parse each refuse FILE with one line matching PATTERN
  local file=$1 pattern=$2 command rc
  for command in lint fix parse; do
    local args=("$file")
    [ $command = lint ] || args=("$command" "$file")
    rc=0
    "$okdlint" "${args[@]}" > out.txt 2> err.txt || rc=$?
    [ $rc = 2 ] || fail "$command $file: exit $rc, expected 2 ($(head -c 300 err.txt))"
    [ ! -s out.txt ] || fail "$command $file: wrote $(wc -c < out.txt) bytes to stdout"
    [ "$(wc -l < err.txt)" = 1 ] || fail "$command $file: $(wc -l < err.txt) lines on stderr: $(head -c 500 err.txt)"
    grep -Eq "^okdlint: $file: .*($pattern)" err.txt || fail "$command $file: '$(cat err.txt)' does not match '$pattern'"
    echo "ok: okdlint $command $file -> $(cat err.txt)"
  done
}

expect_refused truncated.oci.tar 'truncated'
expect_refused short.docker.tar 'truncated'
expect_refused dotdot.tar "'\\.\\.'"
expect_refused empty.tar 'zero bytes'
expect_refused zero-bytes.tar 'empty file'
expect_refused ls.bin 'ELF binary'
expect_refused manifest.json 'registry manifest.*not an image config'
expect_refused data.bin 'binary data'
expect_refused text.gz 'gzip-compressed data, not an image'

echo "-- the same through stdin and a pipe"
for command in lint fix parse; do
  args=(-); [ $command = lint ] || args=("$command" -)
  rc=0; "$okdlint" "${args[@]}" < ls.bin > out.txt 2> err.txt || rc=$?
  [ $rc = 2 ] && [ ! -s out.txt ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q 'ELF binary' err.txt ||
    fail "$command - < ls.bin: exit $rc, $(head -c 300 err.txt)"
  rc=0; "$okdlint" "${args[@]}" < truncated.oci.tar > out.txt 2> err.txt || rc=$?
  [ $rc = 2 ] && [ ! -s out.txt ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q 'truncated' err.txt ||
    fail "$command - < truncated.oci.tar: exit $rc, $(head -c 300 err.txt)"
done
rc=0; "$okdlint" <(cat data.bin) > out.txt 2> err.txt || rc=$?
[ $rc = 2 ] && grep -q 'binary data' err.txt || fail "lint of a pipe with binary data: exit $rc, $(cat err.txt)"

echo "-- readable images: lint reads them, fix and parse refuse them, rewrite refuses a Containerfile"
rc=0; "$okdlint" img/img.oci.tar > /dev/null 2> err.txt || rc=$?
[ $rc = 1 ] || fail "lint img.oci.tar: exit $rc, expected 1 (findings): $(cat err.txt)"
for command in fix parse; do
  rc=0; "$okdlint" $command img/img.oci.tar > out.txt 2> err.txt || rc=$?
  [ $rc = 2 ] && [ ! -s out.txt ] && [ "$(wc -l < err.txt)" = 1 ] &&
    grep -q "^okdlint: img/img.oci.tar: an oci-archive, not a Containerfile" err.txt ||
    fail "$command img.oci.tar: exit $rc, $(head -c 300 err.txt)"
done
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > Containerfile
rc=0; "$okdlint" rewrite --dry-run Containerfile > out.txt 2> err.txt || rc=$?
[ $rc = 2 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q 'a Containerfile, not an image' err.txt ||
  fail "rewrite Containerfile: exit $rc, $(cat err.txt)"
rc=0; "$okdlint" rewrite --dry-run ls.bin > out.txt 2> err.txt || rc=$?
[ $rc = 2 ] && grep -q 'ELF binary' err.txt || fail "rewrite ls.bin: exit $rc, $(cat err.txt)"

echo "-- real Containerfiles with a BOM, CRLF, odd UTF-8 and NULs inside are still Containerfiles"
printf '\xef\xbb\xbfFROM registry.example/ubi9:9.4\r\nUSER root\r\n' > bom-crlf.Containerfile
printf 'FROM registry.example/ubi9:9.4\nLABEL odd="\xff\xfe caf\xc3\xa9 \xe2\x80\x8b"\nUSER root\n' > utf8.Containerfile
printf '# a comment first\nFROM registry.example/ubi9:9.4\nRUN echo "a\0b"\nUSER root\n' > nul-comment.Containerfile
printf 'FROM registry.example/ubi9:9.4\nRUN echo "\0\0\0"\nUSER root\n' > nul.Containerfile
for f in bom-crlf utf8 nul-comment nul; do
  rc=0; "$okdlint" --format json $f.Containerfile > out.json 2> err.txt || rc=$?
  [ $rc = 1 ] || fail "lint $f.Containerfile: exit $rc, expected 1: $(cat err.txt)"
  grep -q '"OKD101"' out.json || fail "lint $f.Containerfile: no OKD101 for USER root"
  "$okdlint" fix $f.Containerfile > fixed 2> /dev/null || fail "fix $f.Containerfile failed"
  grep -aq 'USER 1001' fixed || fail "fix $f.Containerfile: no USER 1001"
  "$okdlint" parse $f.Containerfile > /dev/null || fail "parse $f.Containerfile failed"
done

echo "-- a truncated 200 MB oci-archive fails fast in bounded memory"
python3 - <<'PY'
import hashlib, io, json, os, tarfile
layer_size = 200 << 20
chunk = hashlib.sha256(b"okdlint").digest() * 2048  # 64 KiB, incompressible enough
class Layer(io.RawIOBase):
    def __init__(self): self.left = layer_size
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left, len(chunk)); b[:n] = chunk[:n]; self.left -= n; return n
digest = "sha256:" + "ab" * 32
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": [digest]}}).encode()
config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": layer_size}]}).encode()
manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                       "digest": manifest_digest, "size": len(manifest)}]}).encode()
def add(t, name, data):
    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
with tarfile.open("big.oci.tar", "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    add(t, "blobs/sha256/" + config_digest[7:], config)
    add(t, "blobs/sha256/" + manifest_digest[7:], manifest)
    info = tarfile.TarInfo("blobs/sha256/" + digest[7:]); info.size = layer_size; t.addfile(info, Layer())
    add(t, "index.json", index)
os.truncate("big.oci.tar", os.path.getsize("big.oci.tar") * 3 // 4)
PY
for command in lint fix parse; do
  python3 - "$okdlint" "$command" <<'PY' || fail "okdlint $command big.oci.tar"
import resource, subprocess, sys, time
okdlint, command = sys.argv[1], sys.argv[2]
args = [okdlint, "big.oci.tar"] if command == "lint" else [okdlint, command, "big.oci.tar"]
start = time.monotonic()
p = subprocess.run(args, capture_output=True, timeout=60)
wall = time.monotonic() - start
rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
err = p.stderr.decode(errors="replace")
print(f"okdlint {command} big.oci.tar (150 of 200 MB): exit {p.returncode}, {wall:.2f} s, peak RSS {rss_mib:.1f} MiB: {err.strip()}")
ok = p.returncode == 2 and not p.stdout and err.count("\n") == 1 and "truncated" in err and rss_mib < 64
sys.exit(0 if ok else 1)
PY
done
echo "ok: every input kind"
