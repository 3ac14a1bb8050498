// Container image inputs: OCI image config JSON, `docker inspect` output, docker-archive (legacy
// `docker save`, skopeo/podman, Docker 25+), oci-archive, OCI layout directories, any of the
// archives gzip-compressed, and stdin. Layers are streamed once each (hash, decompress, read tar
// headers) in bounded memory, in parallel, and merged into a metadata-only filesystem view.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lint/image/filesystem.h"

namespace okd {

// Every refusal of an input (unreadable, malformed, hostile, over a limit): a one-line reason.
struct ImageError : std::runtime_error {
  using runtime_error::runtime_error;
};

enum class ImageInputKind { ConfigJson, Inspect, DockerArchive, OciArchive, OciLayout, Registry };
std::string_view to_string(ImageInputKind kind);  // "config-json", "inspect", "docker-archive", ..., "registry"

struct ImageConfig {
  std::string user, working_dir, os, architecture, variant;
  std::vector<std::string> env, entrypoint, cmd;
  std::vector<std::string> exposed_ports;  // "80/tcp", sorted
  std::vector<std::string> volumes;
  std::map<std::string, std::string> labels;
  struct History {
    std::string created_by, comment;
    bool empty_layer = false;
  };
  std::vector<History> history;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids ("sha256:…"), bottom layer first
  nlohmann::json raw;                 // the whole config (or inspect object) as parsed
};

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home, shell;
};

struct LayerInfo {
  std::string digest;      // blob digest "sha256:…" (empty when the input does not name one)
  std::string media_type;  // as the manifest says (empty for docker-archive)
  std::string diff_id;     // digest of the uncompressed tar
  uint64_t size = 0;               // blob bytes
  uint64_t uncompressed_size = 0;  // known once the layer was read
  std::string compression;         // none | gzip | zstd (by magic bytes; empty until read)
  // Where the blob is: the entry name in the outer tar, or the file path for a layout directory.
  std::string blob_path;
  uint64_t blob_offset = 0;  // byte offset of the blob data in the (decompressed) outer tar
};

struct LoadedImage {
  std::string file;  // input path as given
  ImageInputKind kind = ImageInputKind::ConfigJson;
  std::string platform;  // "linux/amd64" (or "linux/arm/v7")
  std::string ref_name;  // tag / org.opencontainers.image.ref.name, if any
  ImageConfig config;
  // Raw bytes and digests, for the rewriter. manifest_* are empty for config / inspect inputs and
  // for docker-archive (which has no per-image manifest blob; its manifest.json entry is used).
  std::string config_digest, config_bytes, manifest_bytes, manifest_digest;
  std::vector<LayerInfo> layers;
  std::optional<FilesystemView> fs;  // absent for config JSON / inspect inputs or read_layers=false
  std::vector<PasswdEntry> passwd;   // parsed /etc/passwd of the view (empty without a view)
  std::map<std::string, uint32_t> group_gids;  // parsed /etc/group: name → gid

  // A numeric user is its own uid; a name is looked up in /etc/passwd.
  std::optional<uint32_t> uid_of(std::string_view user_name) const;
  const PasswdEntry* passwd_entry(uint32_t uid) const;  // first entry with that uid
};

struct ImageLoadOptions {
  std::string platform = "linux/amd64";  // os/arch[/variant], for multi-platform indexes
  bool all_platforms = false;
  bool read_layers = true;
  uint64_t max_layer_bytes = 64ull << 30;  // uncompressed bytes per layer (and per spooled input)
  uint64_t max_ratio = 1000;               // uncompressed:compressed, enforced past the grace
  uint64_t ratio_grace_bytes = 1ull << 30;
  size_t max_json_depth = 64;
  size_t max_json_bytes = 64 << 20;
  unsigned threads = 0;  // 0 = std::thread::hardware_concurrency()
  // Called from the loading thread (never from workers), at most every ~50 ms and once at the end.
  std::function<void(uint64_t bytes_done, uint64_t bytes_total, size_t layers_done, size_t layers_total)>
      progress;
};

// What an input is, decided by its content, the same for every command (lint, fix, parse,
// rewrite, hooks). An image is a tar holding manifest.json or index.json, a gzip/zstd of one, an
// image config or `docker inspect` JSON, or an OCI layout directory; a Containerfile is text (a
// BOM, CRLF, any UTF-8 and NULs after a first line that is an instruction or a comment are fine).
// Anything else — a tar that is damaged or not an image, compressed data that is not an image, a
// registry manifest or other JSON, an ELF binary, binary data — throws ImageError, whose what()
// is one line: what the input is and why it cannot be read.
enum class InputKind { Containerfile, Image };
struct InputClass {
  InputKind kind = InputKind::Containerfile;
  std::string description;  // "an oci-archive", "a docker-archive", "an image config", "a Containerfile"
};
InputClass classify_input(const std::string& path);
// The same decision for bytes already in memory (stdin of fix and parse, git blobs); name is used
// only to refuse an empty "x.tar".
InputClass classify_bytes(std::string_view bytes, const std::string& name);
// classify_input(path) is an image (false for errors and "-"); for walking directories.
bool looks_like_image(const std::string& path);

// Loads every image the input holds (one per platform with all_platforms, one per manifest.json
// entry of a docker-archive, one per inspect object). "-" reads stdin. Throws ImageError.
std::vector<LoadedImage> load_images(const std::string& path, const ImageLoadOptions& options);

// A blob's bytes in order, as a registry sends them. read() fills up to size bytes and returns 0
// only at the end; errors throw ImageError.
class BlobStream {
 public:
  virtual ~BlobStream() = default;
  virtual size_t read(void* buffer, size_t size) = 0;
};

// An image in a registry, seen through the few reads the loader needs (registry/ implements it
// with libcurl; the loader never talks HTTP). open_blob is called from the layer worker threads.
class RemoteSource {
 public:
  virtual ~RemoteSource() = default;
  struct Manifest {
    std::string bytes, media_type, digest;  // digest verified against the bytes
  };
  // The manifest or index the reference names.
  virtual Manifest root_manifest(size_t max_bytes) = 0;
  // A manifest or index by digest (verified).
  virtual std::string manifest(const std::string& digest, size_t max_bytes) = 0;
  // A blob by digest; the reader checks the size and the digest of what the stream yields.
  virtual std::unique_ptr<BlobStream> open_blob(const std::string& digest, uint64_t size) = 0;
  virtual std::string display_name() const = 0;  // "docker://host/repo:tag"
};

// Loads the image(s) of a remote reference: the same platform selection, layer scan and checks
// as load_images, with every layer streamed once (nothing written to disk). Throws ImageError.
std::vector<LoadedImage> load_remote_images(RemoteSource& remote, const ImageLoadOptions& options);

// Parsers for the two account files (lenient: malformed lines are skipped).
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::map<std::string, uint32_t> parse_group(std::string_view text);

}  // namespace okd
