#!/bin/bash
# Generates a large image for bench/image_scan_bench: an oci-archive of ~1.1 GB uncompressed in
# five gzip layers (four of 64 files x 4 MiB of word-salad text, which compresses about 3:1 like
# real binaries and text do, and one of 20,000 small files), plus its extracted OCI layout.
# Usage: make_big_image.sh OUTDIR   (writes OUTDIR/big.oci.tar and OUTDIR/layout/; not in the repo)
set -euo pipefail
OUT=${1:?usage: make_big_image.sh OUTDIR}
command -v gzip >/dev/null && command -v python3 >/dev/null || { echo "needs gzip and python3" >&2; exit 3; }
mkdir -p "$OUT"
rm -rf "$OUT/layout" "$OUT/big.oci.tar"
python3 - "$OUT/layout" <<'PY'
import hashlib, io, json, os, random, subprocess, sys, tarfile

layout = sys.argv[1]
blobs = os.path.join(layout, "blobs", "sha256")
os.makedirs(blobs)
rng = random.Random(42)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(4096)]
base = (" ".join(rng.choices(words, k=1_400_000)) + "\n").encode()[: 8 << 20]
base = base + base  # slices may wrap

class HashingPipe:
    """What tarfile writes: hashed (diff_id) and piped into gzip, which writes the blob."""
    def __init__(self, path):
        self.out = open(path, "wb")
        self.proc = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=self.out)
        self.sha, self.size = hashlib.sha256(), 0
    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        self.proc.stdin.write(data)
        return len(data)
    def close(self):
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise SystemExit("gzip failed")
        self.out.close()

def add(t, name, data=None, mode=0o644, kind=tarfile.REGTYPE, uid=0):
    info = tarfile.TarInfo(name)
    info.mode, info.mtime, info.type, info.uid, info.gid = mode, 1700000000, kind, uid, 0
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)

def big_file(tag):
    start = rng.randrange(0, 8 << 20)
    return f"# {tag}\n".encode() + base[start:start + (4 << 20)]

def write_layer(index, fill):
    tmp = os.path.join(layout, f"layer{index}.tmp")
    pipe = HashingPipe(tmp)
    with tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as t:
        fill(t)
    pipe.close()
    digest = hashlib.sha256(open(tmp, "rb").read()).hexdigest()
    os.rename(tmp, os.path.join(blobs, digest))
    print(f"layer {index}: {pipe.size >> 20} MiB uncompressed, {os.path.getsize(os.path.join(blobs, digest)) >> 20} MiB gzip",
          flush=True)
    return ({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + digest,
             "size": os.path.getsize(os.path.join(blobs, digest))}, "sha256:" + pipe.sha.hexdigest())

def big_layer(index):
    def fill(t):
        add(t, f"data{index}", kind=tarfile.DIRTYPE, mode=0o755)
        for i in range(64):
            add(t, f"data{index}/blob{i:03}.txt", big_file(f"{index}/{i}"), uid=1001)
    return fill

def small_files(t):
    add(t, "etc", kind=tarfile.DIRTYPE, mode=0o755)
    add(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1001:0::/app:/bin/sh\n")
    add(t, "srv", kind=tarfile.DIRTYPE, mode=0o755)
    for d in range(200):
        add(t, f"srv/d{d:03}", kind=tarfile.DIRTYPE, mode=0o755)
        for f in range(100):
            start = rng.randrange(0, 8 << 20)
            add(t, f"srv/d{d:03}/f{f:03}.txt", base[start:start + rng.randint(0, 4096)])

layers, diff_ids = [], []
for index, fill in enumerate([big_layer(0), big_layer(1), small_files, big_layer(2), big_layer(3)]):
    descriptor, diff_id = write_layer(index, fill)
    layers.append(descriptor)
    diff_ids.append(diff_id)

def put(data):
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": "1001"},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(put(config), mediaType="application/vnd.oci.image.config.v1+json"),
                       "layers": layers}).encode()
index = {"schemaVersion": 2, "manifests": [dict(put(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
                                                 annotations={"org.opencontainers.image.ref.name": "big"})]}
json.dump(index, open(os.path.join(layout, "index.json"), "w"))
open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
# The oci-archive puts index.json last, as skopeo does: the reader must not need it first.
(cd "$OUT/layout" && tar -cf ../big.oci.tar oci-layout blobs index.json)
echo "built $OUT/big.oci.tar ($(du -h "$OUT/big.oci.tar" | cut -f1)) and $OUT/layout"
