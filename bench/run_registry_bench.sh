#!/bin/bash
# okdlint against Debian's docker-registry on 127.0.0.1 (plain http, no auth), next to skopeo:
#   remote lint: `okdlint docker://…`  vs  `skopeo copy docker://… oci-archive:X && okdlint X`
#   push:        `okdlint rewrite X -o OUT --push docker://…`  vs  `okdlint rewrite X -o OUT &&
#                skopeo copy oci-archive:OUT docker://…`
#   bases:       `okdlint --resolve-bases Containerfile` (FROM that image) with a cold and a warm cache
# Wall time of each, and the bytes the registry sent (sum of its access log's response sizes) and
# the blob uploads it received (its access log's PUT …/blobs/uploads/ lines), per user agent.
# Usage: run_registry_bench.sh [IMAGE.oci.tar]   (default: a generated 6-layer image, ~100 MB)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OKDLINT=${OKDLINT:-$HERE/../build/okdlint}
WORK=$(mktemp -d)
cleanup() { bash "$HERE/../tests/loopback_registry.sh" stop "$WORK/registry" || true; rm -rf "$WORK"; }
trap cleanup EXIT
IMAGE=${1:-}
if [ -z "$IMAGE" ]; then
  IMAGE=$WORK/multi.oci.tar
  python3 - "$WORK/layout" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
layout = sys.argv[1]; blobs = os.path.join(layout, "blobs", "sha256"); os.makedirs(blobs)
rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(4096)]
text = (" ".join(rng.choices(words, k=400_000)) + "\n").encode()
def blob(data):
    d = hashlib.sha256(data).hexdigest(); open(os.path.join(blobs, d), "wb").write(data); return "sha256:" + d
layers, diff_ids = [], []
for n in range(6):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for i in range(24):
            data = text[(i * 7919 + n * 104729) % len(text):] + text
            data = data[: 600_000 + rng.randint(0, 200_000)]
            info = tarfile.TarInfo(f"layer{n}/file{i}.txt"); info.size = len(data); info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    raw = raw.getvalue(); diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    gz = gzip.compress(raw, 6, mtime=0)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(gz), "size": len(gz)})
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": "root", "ExposedPorts": {"80/tcp": {}}},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": [{"created_by": "bench"}] * 6}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)},
                       "layers": layers}).encode()
md = blob(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
           "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, open(os.path.join(layout, "index.json"), "w"))
open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
  (cd "$WORK/layout" && tar -cf "$IMAGE" oci-layout index.json blobs)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bash "$HERE/../tests/loopback_registry.sh" start "$WORK/registry" "$PORT"
# The helper logs at warn level; restart it with the access log on.
bash "$HERE/../tests/loopback_registry.sh" stop "$WORK/registry"
sed -i 's/level: warn/level: info/' "$WORK/registry/registry.yml"
docker-registry serve "$WORK/registry/registry.yml" > "$WORK/registry/registry.log" 2>&1 &
echo $! > "$WORK/registry/registry.pid"
for _ in $(seq 1 40); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.25; done
REG=127.0.0.1:$PORT
skopeo copy -q --dest-tls-verify=false "oci-archive:$IMAGE" "docker://$REG/bench/app:1"
LOG=$WORK/registry/registry.log
echo "image: $IMAGE ($(du -h "$IMAGE" | cut -f1), $(python3 -c 'import json,sys,tarfile; t=tarfile.open(sys.argv[1]); i=json.load(t.extractfile("index.json")); m=json.load(t.extractfile("blobs/sha256/"+i["manifests"][0]["digest"][7:])); print(len(m["layers"]), "layers")' "$IMAGE")); $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"

mark() { wc -l < "$LOG"; }
sent_since() {  # sent_since LINE AGENT_PATTERN: bytes in responses and blob uploads to that agent
  tail -n +"$(( $1 + 1 ))" "$LOG" | grep -E '^127\.0\.0\.1 - ' | grep -E "$2" |
    awk '{ b += $10 } /"PUT [^ ]*blobs\/uploads/ { u++ } END { printf "%d bytes sent by the registry, %d blob uploads", b, u }'
}
timed() { local s; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; python3 -c "print(round($(date +%s.%N) - $s, 2))"; }

m=$(mark); t=$(timed "$OKDLINT" --tls-verify=false "docker://$REG/bench/app:1")
echo "remote lint, okdlint docker://…:            ${t} s, $(sent_since "$m" '"okdlint"$')"
rm -f "$WORK/pulled.tar"
m=$(mark); s=$(date +%s.%N)
skopeo copy -q --src-tls-verify=false "docker://$REG/bench/app:1" "oci-archive:$WORK/pulled.tar"
"$OKDLINT" "$WORK/pulled.tar" > /dev/null 2>&1 || true
t=$(python3 -c "print(round($(date +%s.%N) - $s, 2))")
echo "remote lint, skopeo copy + okdlint FILE:      ${t} s, $(sent_since "$m" 'skopeo|containers|Go-http')"

# --resolve-bases on a Containerfile FROM that image: manifest + config only, then the cache.
printf 'FROM %s/bench/app:1\nUSER 1001\n' "$REG" > "$WORK/Containerfile"
export XDG_CACHE_HOME=$WORK/cache
m=$(mark); t=$(timed "$OKDLINT" --resolve-bases --tls-verify=false "$WORK/Containerfile")
echo "base resolution, cold cache:                ${t} s, $(sent_since "$m" '"okdlint"$')"
m=$(mark); t=$(timed "$OKDLINT" --resolve-bases --tls-verify=false "$WORK/Containerfile")
echo "base resolution, warm cache:                ${t} s, $(sent_since "$m" '"okdlint"$')"
m=$(mark); t=$(timed "$OKDLINT" "$WORK/Containerfile")
echo "the same lint without --resolve-bases:      ${t} s"
unset XDG_CACHE_HOME

m=$(mark); t=$(timed "$OKDLINT" rewrite "$IMAGE" -o "$WORK/out1.oci.tar" --push "docker://$REG/bench/app:okd" --tls-verify=false)
echo "push, okdlint rewrite --push:               ${t} s, $(sent_since "$m" '"okdlint"$')"
m=$(mark); s=$(date +%s.%N)
"$OKDLINT" rewrite "$IMAGE" -o "$WORK/out2.oci.tar" --port-map 80:9090 > /dev/null 2>&1
skopeo copy -q --dest-tls-verify=false "oci-archive:$WORK/out2.oci.tar" "docker://$REG/bench/app:okd2"
t=$(python3 -c "print(round($(date +%s.%N) - $s, 2))")
echo "push, okdlint rewrite -o + skopeo copy:      ${t} s, $(sent_since "$m" 'skopeo|containers|Go-http')"
