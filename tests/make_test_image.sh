#!/bin/bash
# Builds okdlint's image-reader fixtures: one small real image full of OKD problems, written in
# every input form the reader accepts. Usage: make_test_image.sh OUT   (needs umoci, skopeo,
# setcap, python3; run as root so that ownership, setuid bits and capabilities stick).
#
# The image (two layers):
#   layer 1 (umoci repack): config User 0; ExposedPorts 80/tcp, 443/tcp; /app 1001:1001;
#     /app/cache 0700; /var/log/app 101:101; /usr/bin/tool 04755 with cap_net_bind_service, a
#     hardlink /usr/bin/tool-hardlink and a symlink /usr/bin/tool-symlink -> tool; /tmp 01777;
#     /home/user1001 1001:0 0775; /etc/passwd maps appuser -> 1001; an xattr on /etc/app.conf;
#     nginx config (listen 80) with sites-enabled/default -> ../sites-available/default;
#     /etc/remove-me, /opt/olddir/{a,b}, /var/cache/junk/file (removed again by layer 2).
#   layer 2 (hand-written tar): .wh.remove-me in /etc, /opt/olddir opaque with new.txt, and
#     /var/.wh.cache (a whole directory whited out).
# Forms in OUT:
#   oci/ (layout, tag "test")      img.oci.tar (oci-archive)      img.docker.tar (skopeo docker-archive)
#   img.docker.tar.gz              img.legacy.tar (docker save <= 24: <id>/layer.tar, one a symlink)
#   img.docker25.tar (Docker 25+: manifest.json plus an OCI layout inside)
#   zstd/ (layout with zstd layers)   multi/ (layout: nested index, linux/amd64 + linux/arm64)
#   config.json (the image config)    inspect.json (what `docker inspect` prints)
set -euo pipefail
OUT=${1:?usage: make_test_image.sh OUT}
for tool in umoci skopeo setcap python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 3; }
done
POLICY=()
if [ ! -f /etc/containers/policy.json ]; then
  mkdir -p "$OUT"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$OUT/policy.json"
  POLICY=(--policy "$OUT/policy.json")
fi
rm -rf "$OUT/oci" "$OUT/zstd" "$OUT/multi" "$OUT/bundle" "$OUT"/img.* "$OUT"/*.json
mkdir -p "$OUT"
cd "$OUT"
OUT=$(pwd)

umoci init --layout oci
umoci new --image oci:test
umoci unpack --image oci:test bundle
R=bundle/rootfs
mkdir -p $R/{etc,app/data,app/cache,var/log/app,var/cache/junk,usr/bin,tmp,home/user1001,opt/readonly,opt/olddir}
mkdir -p $R/etc/nginx/{sites-available,sites-enabled,conf.d}
printf 'root:x:0:0:root:/root:/bin/sh\nappuser:x:1001:1001::/home/user1001:/bin/sh\n' > $R/etc/passwd
printf 'root:x:0:\nappuser:x:1001:\n' > $R/etc/group
echo 'listen 80;' > $R/etc/app.conf
printf 'events {}\nhttp { include /etc/nginx/sites-enabled/*; }\n' > $R/etc/nginx/nginx.conf
printf 'server {\n  listen 80;\n}\n' > $R/etc/nginx/sites-available/default
ln -s ../sites-available/default $R/etc/nginx/sites-enabled/default
echo 'gone' > $R/etc/remove-me
echo a > $R/opt/olddir/a; echo b > $R/opt/olddir/b; echo junk > $R/var/cache/junk/file
echo hello > $R/app/data/file.txt; echo cache > $R/app/cache/c.bin; echo log > $R/var/log/app/app.log
printf '#!/bin/sh\necho hi\n' > $R/usr/bin/tool; chmod 0755 $R/usr/bin/tool
ln $R/usr/bin/tool $R/usr/bin/tool-hardlink; ln -s tool $R/usr/bin/tool-symlink
chown -R 1001:1001 $R/app; chmod 0700 $R/app/cache; chmod 0600 $R/app/cache/c.bin
chown -R 101:101 $R/var/log/app; chmod 0640 $R/var/log/app/app.log
chmod 1777 $R/tmp; chown 1001:0 $R/home/user1001; chmod 0775 $R/home/user1001
chmod 4755 $R/usr/bin/tool; chmod 0555 $R/opt/readonly
setcap cap_net_bind_service+ep $R/usr/bin/tool
python3 -c "import os; os.setxattr('$R/etc/app.conf', 'user.okd', b'test')"
umoci repack --image oci:test bundle
rm -rf bundle

# Layer 2: whiteouts, written by hand so that the opaque marker is exactly what the spec says.
python3 - "$OUT/layer2.tar" <<'PY'
import io, sys, tarfile
def add(t, name, kind=tarfile.REGTYPE, data=b"", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, 0
    if kind == tarfile.DIRTYPE:
        t.addfile(info)
    else:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "etc/.wh.remove-me")
    add(t, "opt/olddir", tarfile.DIRTYPE, mode=0o755)
    add(t, "opt/olddir/.wh..wh..opq")
    add(t, "opt/olddir/new.txt", data=b"new\n")
    add(t, "var/.wh.cache")
PY
umoci raw add-layer --image oci:test --history.created_by 'okd-test whiteouts' layer2.tar
rm -f layer2.tar
umoci config --image oci:test --config.user 0 --config.exposedports 80/tcp \
  --config.exposedports 443/tcp --config.entrypoint /usr/bin/tool --config.workingdir /app \
  --config.label org.example.team=okd --architecture amd64 --os linux \
  --history.created_by 'okd-test config'

skopeo "${POLICY[@]}" copy -q oci:"$OUT"/oci:test docker-archive:"$OUT"/img.docker.tar:okd/test:1
skopeo "${POLICY[@]}" copy -q oci:"$OUT"/oci:test oci-archive:"$OUT"/img.oci.tar:okd/test:1
gzip -c img.docker.tar > img.docker.tar.gz
if ! skopeo "${POLICY[@]}" copy -q --dest-compress --dest-compress-format zstd oci:"$OUT"/oci:test oci:"$OUT"/zstd:test \
    2>/dev/null; then
  rm -rf zstd; ZSTD_BY_HAND=1
fi

# The remaining forms are derived from the OCI layout with python (stdlib only).
python3 - "$OUT" "${ZSTD_BY_HAND:-0}" <<'PY'
import gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile
out, zstd_by_hand = sys.argv[1], sys.argv[2] == "1"
layout = os.path.join(out, "oci")

def blob(digest, root=layout):
    with open(os.path.join(root, "blobs", "sha256", digest.split(":")[1]), "rb") as f:
        return f.read()

def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def put_blob(root, data):
    digest = sha(data)
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "blobs", "sha256", digest.split(":")[1]), "wb") as f:
        f.write(data)
    return digest

def add_bytes(t, name, data, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.mtime, info.mode = 0, 0o644
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        info.type, info.linkname = kind, link
        t.addfile(info)

index = json.loads(open(os.path.join(layout, "index.json")).read())
manifest_desc = index["manifests"][0]
manifest = json.loads(blob(manifest_desc["digest"]))
config_bytes = blob(manifest["config"]["digest"])
config = json.loads(config_bytes)
layers = [gzip.decompress(blob(l["digest"])) if l["mediaType"].endswith("gzip") else blob(l["digest"])
          for l in manifest["layers"]]
diff_ids = [sha(l) for l in layers]
assert diff_ids == config["rootfs"]["diff_ids"], "umoci diff_ids do not match its layers"

with open(os.path.join(out, "config.json"), "wb") as f:
    f.write(config_bytes)

inspect = [{
    "Id": manifest["config"]["digest"], "RepoTags": ["okd/test:1"], "RepoDigests": [],
    "Created": config.get("created", ""), "Architecture": config["architecture"], "Os": config["os"],
    "Config": config["config"], "RootFS": {"Type": "layers", "Layers": diff_ids}, "Size": sum(map(len, layers)),
}]
with open(os.path.join(out, "inspect.json"), "w") as f:
    json.dump(inspect, f, indent=4)

# docker save (Docker <= 24): <id>/layer.tar per layer. An empty layer repeated twice makes the
# second copy a symlink to the first, as docker does for identical layers.
empty_layer = b"\0" * 1024
legacy_layers = [layers[0], empty_layer, layers[1], empty_layer]
legacy_config = dict(config)
legacy_config["rootfs"] = {"type": "layers", "diff_ids": [sha(l) for l in legacy_layers]}
legacy_config_bytes = json.dumps(legacy_config, separators=(",", ":")).encode()
legacy_config_id = sha(legacy_config_bytes).split(":")[1]
with tarfile.open(os.path.join(out, "img.legacy.tar"), "w", format=tarfile.USTAR_FORMAT) as t:
    names, first_dir, parent = [], {}, ""
    for layer in legacy_layers:
        layer_id = hashlib.sha256((parent + sha(layer)).encode()).hexdigest()
        info = tarfile.TarInfo(layer_id); info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
        t.addfile(info)
        add_bytes(t, layer_id + "/VERSION", b"1.0")
        add_bytes(t, layer_id + "/json", json.dumps({"id": layer_id, "parent": parent}).encode())
        if sha(layer) in first_dir:
            add_bytes(t, layer_id + "/layer.tar", b"", tarfile.SYMTYPE, "../" + first_dir[sha(layer)] + "/layer.tar")
        else:
            first_dir[sha(layer)] = layer_id
            add_bytes(t, layer_id + "/layer.tar", layer)
        names.append(layer_id + "/layer.tar")
        parent = layer_id
    add_bytes(t, legacy_config_id + ".json", legacy_config_bytes)
    add_bytes(t, "manifest.json", json.dumps([{"Config": legacy_config_id + ".json",
                                               "RepoTags": ["okd/test:legacy"], "Layers": names}]).encode())
    add_bytes(t, "repositories", json.dumps({"okd/test": {"legacy": parent}}).encode())

# Docker 25+ docker save: an OCI layout (uncompressed layers) plus manifest.json naming blobs.
with tarfile.open(os.path.join(out, "img.docker25.tar"), "w", format=tarfile.PAX_FORMAT) as t:
    def put(data):
        digest = sha(data)
        add_bytes(t, "blobs/sha256/" + digest.split(":")[1], data)
        return digest
    layer_digests = [put(l) for l in layers]
    config_digest = put(config_bytes)
    oci_manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                               "size": len(config_bytes)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": len(l)}
                               for d, l in zip(layer_digests, layers)]}
    manifest_bytes = json.dumps(oci_manifest).encode()
    manifest_digest = put(manifest_bytes)
    add_bytes(t, "index.json", json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
                       "size": len(manifest_bytes),
                       "annotations": {"io.containerd.image.name": "docker.io/okd/test:25",
                                       "org.opencontainers.image.ref.name": "25"}}]}).encode())
    add_bytes(t, "manifest.json", json.dumps([{"Config": "blobs/sha256/" + config_digest.split(":")[1],
        "RepoTags": ["okd/test:25"], "Layers": ["blobs/sha256/" + d.split(":")[1] for d in layer_digests]}]).encode())
    add_bytes(t, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')

# Multi-platform layout: index.json -> nested image index -> amd64 and arm64 manifests.
multi = os.path.join(out, "multi")
shutil.rmtree(multi, ignore_errors=True)
shutil.copytree(layout, multi)
arm_config = dict(config); arm_config["architecture"] = "arm64"; arm_config["variant"] = "v8"
arm_config_bytes = json.dumps(arm_config).encode()
arm_manifest = dict(manifest)
arm_manifest["config"] = dict(manifest["config"], digest=put_blob(multi, arm_config_bytes), size=len(arm_config_bytes))
arm_manifest_bytes = json.dumps(arm_manifest).encode()
nested = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
    dict(manifest_desc, platform={"os": "linux", "architecture": "amd64"}, annotations={}),
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put_blob(multi, arm_manifest_bytes),
     "size": len(arm_manifest_bytes), "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]}
nested_bytes = json.dumps(nested).encode()
with open(os.path.join(multi, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": put_blob(multi, nested_bytes), "size": len(nested_bytes),
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}, f)

# zstd layers by hand when skopeo cannot write them: the zstd CLI, then a rewritten manifest.
if zstd_by_hand:
    z = os.path.join(out, "zstd")
    shutil.copytree(layout, z)
    zmanifest = dict(manifest)
    zmanifest["layers"] = []
    for l in layers:
        data = subprocess.run(["zstd", "-q", "-c"], input=l, stdout=subprocess.PIPE, check=True).stdout
        zmanifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                                    "digest": put_blob(z, data), "size": len(data)})
    zbytes = json.dumps(zmanifest).encode()
    with open(os.path.join(z, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(manifest_desc, digest=put_blob(z, zbytes), size=len(zbytes))]}, f)
PY
echo "built $OUT: oci/ zstd/ multi/ img.oci.tar img.docker.tar img.docker.tar.gz img.legacy.tar img.docker25.tar config.json inspect.json"
