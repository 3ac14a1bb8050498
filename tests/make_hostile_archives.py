#!/usr/bin/env python3
"""Writes the hostile-input catalogue for okdlint's image reader into tests/data/hostile/.

Every file is a small image input that must be refused with an ImageError whose one-line reason
contains the expected substring. README.md (also written here) lists each file, the substring and
the ImageLoadOptions overrides the test applies (tiny limits, so the bombs stay tiny).
Python 3 standard library only. Usage: make_hostile_archives.py [OUTDIR]
"""
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile

tarfile.RECORDSIZE = 1024  # no 10 KiB padding: keep the committed files small

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hostile")
CATALOGUE = []  # (file, expected substring, options, what it is)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def zstd_frame(blocks):
    """A zstd frame built from raw/RLE blocks: [(kind, payload, size)], kind 'raw' or 'rle'."""
    out = bytearray(b"\x28\xb5\x2f\xfd")
    out += bytes([0x00, 0x38])  # no checksum, no content size; window 128 KiB (exponent 7)
    for i, (kind, payload, size) in enumerate(blocks):
        last = 1 if i == len(blocks) - 1 else 0
        block_type = 0 if kind == "raw" else 1
        header = last | (block_type << 1) | (size << 3)
        out += struct.pack("<I", header)[:3]
        out += payload
    return bytes(out)


def zstd_raw(data):
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    return zstd_frame([("raw", c, len(c)) for c in chunks])


def member(name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644, uid=0, gid=0, pax=None):
    return dict(name=name, data=data, kind=kind, link=link, mode=mode, uid=uid, gid=gid, pax=pax or {})


def make_tar(members, fmt=tarfile.PAX_FORMAT):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as t:
        for m in members:
            info = tarfile.TarInfo(m["name"])
            info.type, info.mode, info.mtime = m["kind"], m["mode"], 0
            info.uid, info.gid, info.linkname = m["uid"], m["gid"], m["link"]
            info.pax_headers = m["pax"]
            if m["kind"] == tarfile.REGTYPE:
                info.size = len(m["data"])
                t.addfile(info, io.BytesIO(m["data"]))
            else:
                t.addfile(info)
    return buffer.getvalue()


GOOD_LAYER = make_tar([member("etc", kind=tarfile.DIRTYPE, mode=0o755),
                       member("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")])


def config_for(diff_ids, **extra):
    config = {"architecture": "amd64", "os": "linux", "config": {"User": "1001"},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    config.update(extra)
    return json.dumps(config).encode()


def oci_archive(layer_blobs, diff_ids=None, config=None, drop=(), manifest_edit=None, index=None,
                extra=(), layer_media="application/vnd.oci.image.layer.v1.tar+gzip", raw_blobs=(), rename=None):
    """An oci-archive. layer_blobs are the stored (possibly compressed) blobs; diff_ids default to
    the sha256 of the gzip-decompressed blobs (or of the blob when it is not gzip)."""
    if diff_ids is None:
        diff_ids = []
        for b in layer_blobs:
            try:
                diff_ids.append(sha(gzip.decompress(b)))
            except (OSError, EOFError):
                diff_ids.append(sha(b))
    config = config if config is not None else config_for(diff_ids)
    blobs = {}
    for b in list(layer_blobs) + [config] + list(raw_blobs):
        blobs[sha(b)] = b
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config),
                           "size": len(config)},
                "layers": [{"mediaType": layer_media, "digest": sha(b), "size": len(b)} for b in layer_blobs]}
    if manifest_edit:
        manifest_edit(manifest)
    manifest_bytes = json.dumps(manifest).encode()
    blobs[sha(manifest_bytes)] = manifest_bytes
    if index is None:
        index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                    "digest": sha(manifest_bytes), "size": len(manifest_bytes)}]}
    members = [member("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    for digest, data in blobs.items():
        if digest not in drop:
            stored_as = (rename or {}).get(digest, digest)
            members.append(member("blobs/sha256/" + stored_as.split(":")[1], data))
    members.append(member("index.json", json.dumps(index).encode()))
    members.extend(extra)
    return make_tar(members)


def docker_archive(layers, names=None, symlinks=(), config=None, extra=(), manifest_layers=None):
    """A skopeo-style docker-archive with uncompressed layers named <diff_id>.tar."""
    diff_ids = [sha(l) for l in layers]
    config = config if config is not None else config_for(diff_ids)
    names = names or [d.split(":")[1] + ".tar" for d in diff_ids]
    members = [member(n, l) for n, l in zip(names, layers)]
    for name, target in symlinks:
        members.append(member(name, kind=tarfile.SYMTYPE, link=target))
    config_name = sha(config).split(":")[1] + ".json"
    members.append(member(config_name, config))
    manifest_layers = manifest_layers or [s[0] for s in symlinks] or names
    members.append(member("manifest.json", json.dumps([{"Config": config_name, "RepoTags": ["hostile:1"],
                                                         "Layers": manifest_layers}]).encode()))
    members.extend(extra)
    return make_tar(members)


def write(name, data, expected, options, what):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    CATALOGUE.append((name, expected, options, what))


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))

    # --- names ----------------------------------------------------------------------------------
    write("outer-dotdot-name.tar", oci_archive([gz(GOOD_LAYER)], extra=[member("../evil", b"x")]),
          "'..' component", "", "outer tar entry named ../evil")
    write("layer-dotdot-name.tar",
          oci_archive([gz(make_tar([member("../../etc/shadow", b"root::0:0:::\n")]))]),
          "'..' component", "", "layer entry ../../etc/shadow")
    write("layer-whiteout-dot.tar", oci_archive([gz(make_tar([member("etc/.wh..", b"")]))]),
          "whiteout with an invalid name", "", "whiteout .wh.. (would whiteout the parent)")

    # --- hardlinks ------------------------------------------------------------------------------
    write("layer-hardlink-missing.tar",
          oci_archive([gz(make_tar([member("bin/sh", kind=tarfile.LNKTYPE, link="bin/nothing")]))]),
          "does not name an earlier entry", "", "hardlink to a path that is nowhere in the image")
    write("layer-hardlink-forward.tar",
          oci_archive([gz(make_tar([member("a", kind=tarfile.LNKTYPE, link="b"), member("b", b"data")]))]),
          "does not name an earlier entry", "", "hardlink to an entry that only comes later")
    write("layer-hardlink-dotdot.tar",
          oci_archive([gz(make_tar([member("a", kind=tarfile.LNKTYPE, link="../../etc/shadow")]))]),
          "'..' component", "", "hardlink target climbing out of the root")
    write("layer-hardlink-directory.tar",
          oci_archive([gz(make_tar([member("d", kind=tarfile.DIRTYPE, mode=0o755),
                                    member("l", kind=tarfile.LNKTYPE, link="d")]))]),
          "names a directory", "", "hardlink to a directory")
    write("layer-uid-out-of-range.tar",
          oci_archive([gz(make_tar([member("f", b"x", pax={"uid": str(1 << 40)})]))]),
          "out-of-range uid", "", "pax uid of 2^40")

    # --- bombs and limits -----------------------------------------------------------------------
    zeros = make_tar([member("zeros", b"\0" * (4 << 20))])
    write("gzip-ratio-bomb.tar", oci_archive([gz(zeros)]), "ratio exceeds 100:1",
          "max_ratio=100 ratio_grace_bytes=65536", "4 MiB of zeros in a 4 KiB gzip layer")
    rle = zstd_frame([("raw", zeros[:512], 512)] + [("rle", b"\0", 131072)] * 40)
    write("zstd-ratio-bomb.tar",
          oci_archive([rle], diff_ids=[sha(b"unused")], layer_media="application/vnd.oci.image.layer.v1.tar+zstd"),
          "ratio exceeds 100:1", "max_ratio=100 ratio_grace_bytes=65536", "5 MiB of RLE blocks in a tiny zstd layer")
    write("layer-size-limit.tar", oci_archive([gz(make_tar([member("big", b"\0" * (2 << 20))]))]),
          "max_layer_bytes", "max_layer_bytes=1048576 max_ratio=100000000", "2 MiB layer over a 1 MiB limit")
    write("compressed-archive-bomb.tar.gz", gz(oci_archive([GOOD_LAYER], layer_media="application/vnd.oci.image.layer.v1.tar",
                                                             extra=[member("padding", b"\0" * (4 << 20))])),
          "compressed archive: decompression ratio", "max_ratio=100 ratio_grace_bytes=65536",
          "a gzip-compressed archive that inflates 1000-fold")

    # --- truncation and corruption --------------------------------------------------------------
    body = make_tar([member("f", bytes(range(256)) * 64)])
    compressed = gz(body)
    write("truncated-gzip-layer.tar", oci_archive([compressed[:len(compressed) // 2]], diff_ids=[sha(body)]),
          "truncated gzip stream", "", "gzip layer cut in half")
    write("truncated-zstd-layer.tar",
          oci_archive([zstd_raw(body)[:len(body) // 2]], diff_ids=[sha(body)],
                      layer_media="application/vnd.oci.image.layer.v1.tar+zstd"),
          "truncated zstd stream", "", "zstd layer cut in half")
    cut = body[:512 + 4096]
    write("truncated-layer-tar.tar", oci_archive([gz(cut)]), "truncated layer tar", "",
          "layer tar ending inside a file's data")
    bad_crc = bytearray(compressed)
    bad_crc[-8] ^= 0xff
    write("corrupt-gzip-crc.tar", oci_archive([bytes(bad_crc)], diff_ids=[sha(body)]), "CRC mismatch", "",
          "gzip trailer with a wrong CRC-32")
    write("gzip-trailing-garbage.tar", oci_archive([compressed + b"garbage!"], diff_ids=[sha(body)]),
          "unexpected data after the end of the gzip stream", "", "bytes after the gzip trailer")
    write("layer-not-a-tar.tar", oci_archive([gz(b"this is not a tar archive\n" * 40)]),
          "layer is not a tar archive", "", "gzip of plain text as a layer")
    archive = oci_archive([gz(body)])
    write("outer-truncated.tar", archive[:len(archive) - 3000], "truncated", "", "oci-archive cut inside a blob")
    broken = bytearray(oci_archive([gz(GOOD_LAYER)]))
    broken[1024 + 10] ^= 0x55  # second header's name: its checksum no longer matches
    write("outer-bad-checksum.tar", bytes(broken), "bad checksum", "", "outer tar header with a wrong checksum")
    whole = gz(oci_archive([gz(GOOD_LAYER)]))
    write("compressed-archive-truncated.tar.gz", whole[:len(whole) - 40], "truncated gzip stream", "",
          "gzip-compressed archive cut short")
    write("double-compressed.tar.gz", gz(gz(oci_archive([gz(GOOD_LAYER)]))), "another compressed archive", "",
          "gzip of a gzip of an archive")

    # --- digests --------------------------------------------------------------------------------
    good = gz(GOOD_LAYER)
    tampered = bytearray(good)
    tampered[4] = 1  # gzip header mtime: still a valid stream, different bytes
    def lie_about_layer(manifest):
        manifest["layers"][0]["digest"] = sha(good)
    write("blob-digest-mismatch.tar",
          oci_archive([bytes(tampered)], manifest_edit=lie_about_layer, rename={sha(bytes(tampered)): sha(good)}),
          "blob digest mismatch", "", "layer bytes that do not hash to their name")
    write("diffid-mismatch.tar", oci_archive([good], diff_ids=[sha(b"another layer")]), "diff_id mismatch", "",
          "config diff_id that is not the uncompressed layer's digest")
    write("diffids-count-mismatch.tar", oci_archive([good, good], diff_ids=[sha(GOOD_LAYER)]),
          "rootfs.diff_ids lists 1 layers but the manifest has 2", "", "one diff_id for two layers")
    write("missing-layer-blob.tar", oci_archive([good], drop={sha(good)}), "missing blob", "",
          "manifest names a layer blob that is not in the archive")
    config = config_for([sha(GOOD_LAYER)])
    write("missing-config-blob.tar", oci_archive([good], config=config, drop={sha(config)}), "missing blob", "",
          "manifest names a config blob that is not in the archive")
    def traversal(manifest):
        manifest["layers"][0]["digest"] = "sha256:../../../../../../etc/passwd"
    write("digest-path-traversal.tar", oci_archive([good], manifest_edit=traversal), "invalid digest", "",
          "digest with path characters")
    def sha512(manifest):
        manifest["layers"][0]["digest"] = "sha512:" + "ab" * 64
    write("unsupported-digest-algorithm.tar", oci_archive([good], manifest_edit=sha512), "only sha256", "",
          "sha512 digest")
    def wrong_size(manifest):
        manifest["layers"][0]["size"] += 1
    write("descriptor-size-mismatch.tar", oci_archive([good], manifest_edit=wrong_size), "size mismatch", "",
          "descriptor size differs from the blob")

    # --- JSON -----------------------------------------------------------------------------------
    deep = "[" * 200 + "]" * 200
    write("json-too-deep.json", ('{"architecture":"amd64","os":"linux","config":{},"rootfs":{"diff_ids":[]},'
                                 '"history":' + deep + "}").encode(),
          "nests deeper than 64 levels", "", "config JSON nested 200 levels")
    write("json-too-large.json", config_for([], padding="x" * 20000), "too large", "max_json_bytes=16384",
          "20 KB config over a 16 KiB limit")
    def deep_manifest(manifest):
        manifest["annotations"] = {"a": json.loads("[" * 100 + "]" * 100)}
    write("manifest-too-deep.tar", oci_archive([good], manifest_edit=deep_manifest), "nests deeper than", "",
          "manifest blob nested 100 levels")
    write("inspect-wrong-shape.json", b'[{"Name": "x"}]', "not inspect output", "",
          "JSON array whose objects lack Config")
    write("json-not-an-image.json", b'{"name": "package", "version": "1.0"}', "neither an image config", "",
          "unrelated JSON object")
    write("json-invalid.json", b'{"architecture": "amd64", "config": {', "invalid JSON", "", "JSON cut short")

    # nested image indexes, 10 deep
    chain_blobs = []
    manifest_bytes = json.dumps({"schemaVersion": 2, "config": {"digest": sha(config), "size": len(config)},
                                 "layers": []}).encode()
    child = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest_bytes),
             "size": len(manifest_bytes)}
    chain_blobs.append(manifest_bytes)
    for _ in range(10):
        nested = json.dumps({"schemaVersion": 2, "manifests": [child]}).encode()
        chain_blobs.append(nested)
        child = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": sha(nested), "size": len(nested)}
    write("index-nested-too-deep.tar",
          oci_archive([], config=config, raw_blobs=chain_blobs, index={"schemaVersion": 2, "manifests": [child]}),
          "nested too deep", "", "ten image indexes inside each other")

    # --- docker-archive -------------------------------------------------------------------------
    write("docker-missing-layer.tar",
          docker_archive([GOOD_LAYER], names=["abc/layer.tar"], manifest_layers=["abd/layer.tar"]),
          "missing layer", "", "manifest.json names a layer that is not in the archive")
    write("docker-symlink-escape.tar",
          docker_archive([GOOD_LAYER], symlinks=[("abc/layer.tar", "../../../../etc/passwd")]),
          "escapes the archive", "", "layer.tar symlink pointing out of the archive")
    write("docker-config-digest-mismatch.tar",
          docker_archive([GOOD_LAYER], config=config_for([sha(GOOD_LAYER)]))
          .replace(b'"User": "1001"', b'"User": "0000"'),
          "digest mismatch for config", "", "config bytes that do not hash to their file name")

    layer_hex = sha(GOOD_LAYER).split(":")[1]
    docker_config = config_for([sha(GOOD_LAYER)])
    oci_manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"digest": sha(docker_config), "size": len(docker_config)},
                               "layers": [{"digest": sha(b"another layer"), "size": 13}]}).encode()
    oci_index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(oci_manifest),
         "size": len(oci_manifest)}]}).encode()
    write("docker25-oci-disagrees.tar",
          docker_archive([GOOD_LAYER], names=["blobs/sha256/" + layer_hex], config=docker_config,
                         extra=[member("blobs/sha256/" + sha(oci_manifest).split(":")[1], oci_manifest),
                                member("index.json", oci_index), member("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]),
          "disagrees with manifest.json", "", "Docker 25+ archive whose embedded OCI manifest lists other layers")

    # --- not images at all ----------------------------------------------------------------------
    write("empty-file.bin", b"", "the input is empty", "", "zero bytes")
    write("garbage.bin", bytes((i * 97 + 13) % 251 for i in range(2048)), "unrecognised content", "",
          "bytes that are no known format")
    write("tar-without-manifest.tar", make_tar([member("hello.txt", b"hi\n")]), "neither manifest.json", "",
          "a plain tar that is not an image")

    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("# Hostile image inputs\n\n"
                "Generated by `tests/make_hostile_archives.py` (do not edit by hand). Each input must be refused\n"
                "with an `ImageError` whose one-line message contains the expected text, using the listed\n"
                "`ImageLoadOptions` overrides; `tests/unit/image_hostile_test.cpp` reads this table.\n\n"
                "| file | expected error | options | what |\n|---|---|---|---|\n")
        for name, expected, options, what in CATALOGUE:
            f.write(f"| `{name}` | `{expected}` | {options} | {what} |\n")
    print(f"wrote {len(CATALOGUE)} hostile inputs to {OUT}")


if __name__ == "__main__":
    main()
