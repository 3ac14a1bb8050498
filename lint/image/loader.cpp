// Input detection and the image formats: config JSON, inspect output, docker-archive, OCI
// (archive or layout directory); then the parallel layer scan and the ordered merge.
#include <cstdint>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "lint/image/detail.h"
#include "lint/image/image.h"
#include "lint/image/layer_reader.h"
#include "lint/image/outer_tar.h"

namespace okd {

using image_detail::BlobRef;
using image_detail::Fd;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Small JSON accessors: image JSON from the wild has nulls and odd types; wrong types read as
// absent rather than throwing from deep inside nlohmann.

std::string str(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::vector<std::string> string_list(const json* value) {
  std::vector<std::string> out;
  if (!value) return out;
  if (value->is_string()) {
    out.push_back(value->get<std::string>());
  } else if (value->is_array()) {
    for (const auto& item : *value) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

std::vector<std::string> key_list(const json* value) {
  std::vector<std::string> out;
  if (value && value->is_object()) {
    for (const auto& [key, _] : value->items()) out.push_back(key);
  }
  return out;
}

// The "config" object shared by OCI configs and inspect output ("Config").
void read_container_config(const json* config, ImageConfig& out) {
  if (!config || !config->is_object()) return;
  out.user = str(*config, "User");
  out.working_dir = str(*config, "WorkingDir");
  out.env = string_list(member(*config, "Env"));
  out.entrypoint = string_list(member(*config, "Entrypoint"));
  out.cmd = string_list(member(*config, "Cmd"));
  out.exposed_ports = key_list(member(*config, "ExposedPorts"));
  out.volumes = key_list(member(*config, "Volumes"));
  if (const json* labels = member(*config, "Labels"); labels && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) out.labels[key] = value.get<std::string>();
    }
  }
}

void read_history(const json* history, ImageConfig& out) {
  if (!history || !history->is_array()) return;
  for (const auto& item : *history) {
    ImageConfig::History h;
    h.created_by = str(item, "created_by");
    h.comment = str(item, "comment");
    if (const json* empty = member(item, "empty_layer"); empty && empty->is_boolean()) h.empty_layer = empty->get<bool>();
    out.history.push_back(std::move(h));
  }
}

ImageConfig config_from_oci(json raw) {
  ImageConfig config;
  config.os = str(raw, "os");
  config.architecture = str(raw, "architecture");
  config.variant = str(raw, "variant");
  read_container_config(member(raw, "config"), config);
  read_history(member(raw, "history"), config);
  if (const json* rootfs = member(raw, "rootfs")) config.diff_ids = string_list(member(*rootfs, "diff_ids"));
  config.raw = std::move(raw);
  return config;
}

ImageConfig config_from_inspect(json raw) {
  ImageConfig config;
  config.os = str(raw, "Os");
  config.architecture = str(raw, "Architecture");
  config.variant = str(raw, "Variant");
  read_container_config(member(raw, "Config"), config);
  read_history(member(raw, "History"), config);  // podman has it; docker does not
  if (const json* rootfs = member(raw, "RootFS")) config.diff_ids = string_list(member(*rootfs, "Layers"));
  config.raw = std::move(raw);
  return config;
}

std::string platform_of(const ImageConfig& config) {
  if (config.os.empty() && config.architecture.empty()) return {};
  std::string platform = config.os + "/" + config.architecture;
  if (!config.variant.empty()) platform += "/" + config.variant;
  return platform;
}

std::string short_digest(std::string_view digest) { return std::string(digest.substr(0, 19)); }

// ---------------------------------------------------------------------------------------------
// Where blobs live: entries of an outer tar, or files of a layout directory.

struct Blob {
  BlobRef ref;
  std::string path;  // entry name in the outer tar, or file path
};

class BlobSource {
 public:
  virtual ~BlobSource() = default;
  virtual std::optional<Blob> locate(const std::string& relative) = 0;  // "blobs/sha256/…"
  // Whether the blob of a digest is present (an export may lack other platforms' manifests).
  virtual bool has(const std::string& digest);
  // The blob a descriptor names, present and of the stated size.
  virtual Blob blob_of(const json& descriptor, std::string_view what);
  // The bytes of a small blob (manifest, index, config) a descriptor names; not yet verified.
  virtual std::string small_blob(const json& descriptor, bool is_manifest, const ImageLoadOptions& options,
                                 std::string_view what);

  std::string read(const std::string& relative, uint64_t max_bytes, std::string_view what) {
    auto blob = locate(relative);
    if (!blob) throw ImageError("missing " + std::string(what) + " (" + relative + ")");
    if (blob->ref.size > max_bytes) {
      throw ImageError(std::string(what) + " is too large (" + std::to_string(blob->ref.size) + " bytes, limit " +
                       std::to_string(max_bytes) + ")");
    }
    std::string bytes(blob->ref.size, '\0');
    if (image_detail::pread_full(blob->ref.fd, bytes.data(), bytes.size(), blob->ref.offset) != bytes.size()) {
      throw ImageError(std::string(what) + " is truncated");
    }
    return bytes;
  }
};

class TarBlobs : public BlobSource {
 public:
  explicit TarBlobs(const image_detail::OuterTar& tar) : tar_(tar) {}
  std::optional<Blob> locate(const std::string& relative) override {
    const image_detail::TarMember* m = tar_.find(relative);
    if (!m) return std::nullopt;
    return Blob{{tar_.fd(), m->offset, m->size}, relative};
  }

 private:
  const image_detail::OuterTar& tar_;
};

class DirectoryBlobs : public BlobSource {
 public:
  explicit DirectoryBlobs(std::string root) : root_(std::move(root)) {}
  std::optional<Blob> locate(const std::string& relative) override {
    std::string path = root_ + "/" + relative;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::nullopt;
      throw ImageError("cannot open " + path + ": " + std::strerror(errno));
    }
    Fd owned(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw ImageError(path + " is not a regular file");
    open_.push_back(std::move(owned));
    return Blob{{fd, 0, static_cast<uint64_t>(st.st_size)}, path};
  }

 private:
  std::string root_;
  std::vector<Fd> open_;  // kept open for the layer scan
};

// ---------------------------------------------------------------------------------------------
// The parallel layer scan, merged in layer order into one view.

struct LayerJob {
  BlobRef blob;
  std::string expected_blob_digest;  // empty when the input does not name one
  std::string expected_diff_id;
};

[[noreturn]] void rethrow_for_layer(std::exception_ptr error, size_t index, const LayerInfo& info) {
  std::string where = "layer " + std::to_string(index + 1);
  if (!info.blob_path.empty()) where += " (" + info.blob_path + ")";
  try {
    std::rethrow_exception(error);
  } catch (const ImageError& e) {
    throw ImageError(where + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw ImageError(where + ": " + e.what());
  }
}

FilesystemView scan_and_merge(const std::vector<LayerJob>& jobs, std::vector<LayerInfo>& infos,
                              const ImageLoadOptions& options) {
  const size_t count = jobs.size();
  image_detail::DecodeLimits limits{options.max_layer_bytes, options.max_ratio, options.ratio_grace_bytes};
  struct Slot {
    std::optional<image_detail::LayerScan> scan;
    std::exception_ptr error;
    bool cancelled = false;
    bool done = false;
  };
  std::vector<Slot> slots(count);
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<size_t> next_job{0};
  std::atomic<bool> cancel{false};
  std::atomic<uint64_t> bytes_read{0};
  uint64_t bytes_total = 0;
  for (const auto& job : jobs) bytes_total += job.blob.size;

  auto worker = [&] {
    while (!cancel.load()) {
      size_t index = next_job.fetch_add(1);
      if (index >= count) return;
      Slot result;
      try {
        result.scan = image_detail::scan_layer(jobs[index].blob, limits, &bytes_read, &cancel);
      } catch (...) {
        result.error = std::current_exception();
        result.cancelled = cancel.load();
        cancel.store(true);
      }
      std::lock_guard lock(mutex);
      result.done = true;
      slots[index] = std::move(result);
      ready.notify_all();
    }
  };
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(count, 1)));
  std::vector<std::thread> pool;
  struct Joiner {
    std::vector<std::thread>& pool;
    std::atomic<bool>& cancel;
    ~Joiner() {
      cancel.store(true);
      for (auto& t : pool) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{pool, cancel};
  for (unsigned i = 0; i < threads && count > 0; ++i) pool.emplace_back(worker);

  uint64_t reported = ~0ull;
  size_t layers_done = 0;
  auto report = [&](bool force) {
    if (!options.progress) return;
    uint64_t now = bytes_read.load();
    if (!force && now == reported) return;
    reported = now;
    options.progress(now, bytes_total, layers_done, count);
  };

  FilesystemView view;
  for (size_t index = 0; index < count; ++index) {
    Slot slot;
    {
      std::unique_lock lock(mutex);
      while (!slots[index].done) {
        lock.unlock();
        report(false);
        lock.lock();
        ready.wait_for(lock, std::chrono::milliseconds(50), [&] { return slots[index].done; });
      }
      slot = std::move(slots[index]);
    }
    if (slot.error) {
      if (slot.cancelled) {
        // Another layer failed first: report that one (the lowest failing layer by index).
        cancel.store(true);
        for (auto& t : pool) t.join();
        for (size_t other = index + 1; other < count; ++other) {
          if (slots[other].done && slots[other].error && !slots[other].cancelled) {
            rethrow_for_layer(slots[other].error, other, infos[other]);
          }
        }
      }
      rethrow_for_layer(slot.error, index, infos[index]);
    }
    image_detail::LayerScan& scan = *slot.scan;
    LayerInfo& info = infos[index];
    const LayerJob& job = jobs[index];
    try {
      if (!job.expected_blob_digest.empty() && scan.blob_digest != job.expected_blob_digest) {
        throw ImageError("blob digest mismatch: the manifest says " + job.expected_blob_digest + ", the content is " +
                         scan.blob_digest);
      }
      if (scan.diff_id != job.expected_diff_id) {
        throw ImageError("diff_id mismatch: the config says " + job.expected_diff_id + ", the content is " +
                         scan.diff_id);
      }
      if (info.digest.empty()) info.digest = scan.blob_digest;
      info.diff_id = scan.diff_id;
      info.uncompressed_size = scan.uncompressed_size;
      info.compression = scan.compression;
      view.apply_layer(std::move(scan.changes), static_cast<uint32_t>(index));
    } catch (...) {
      rethrow_for_layer(std::current_exception(), index, info);
    }
    slot.scan.reset();
    ++layers_done;
    report(true);
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Reading one image from a manifest (OCI) or a manifest.json entry (docker-archive).

struct Context {
  std::string file;
  ImageInputKind kind;
  const ImageLoadOptions& options;
};

json parse_json(std::string_view text, const ImageLoadOptions& options, std::string_view what) {
  return image_detail::parse_json_bounded(text, options.max_json_bytes, options.max_json_depth, what);
}

void finish_image(LoadedImage& image, const std::vector<LayerJob>& jobs, const ImageLoadOptions& options) {
  if (image.config.diff_ids.size() != image.layers.size()) {
    throw ImageError("config rootfs.diff_ids lists " + std::to_string(image.config.diff_ids.size()) +
                     " layers but the manifest has " + std::to_string(image.layers.size()));
  }
  image.platform = platform_of(image.config);
  if (!options.read_layers) return;
  image.fs = scan_and_merge(jobs, image.layers, options);
  if (auto passwd = image.fs->content("/etc/passwd")) image.passwd = parse_passwd(*passwd);
  if (auto group = image.fs->content("/etc/group")) image.group_gids = parse_group(*group);
}

bool BlobSource::has(const std::string& digest) {
  return locate("blobs/sha256/" + image_detail::digest_hex(digest, "blob")).has_value();
}

// A blob named by a descriptor: present, of the stated size.
Blob locate_descriptor(BlobSource& blobs, const json& descriptor, std::string_view what) { return blobs.blob_of(descriptor, what); }

Blob BlobSource::blob_of(const json& descriptor, std::string_view what) {
  BlobSource& blobs = *this;
  std::string digest = str(descriptor, "digest");
  std::string hex = image_detail::digest_hex(digest, what);
  auto blob = blobs.locate("blobs/sha256/" + hex);
  if (!blob) throw ImageError("missing blob " + digest + " (" + std::string(what) + ")");
  if (const json* size = member(descriptor, "size"); size && size->is_number_unsigned() &&
                                                     size->get<uint64_t>() != blob->ref.size) {
    throw ImageError("size mismatch for " + std::string(what) + " " + short_digest(digest) + ": descriptor says " +
                     std::to_string(size->get<uint64_t>()) + ", blob has " + std::to_string(blob->ref.size));
  }
  return *blob;
}

// Reads a small JSON blob named by a descriptor and checks its digest.
std::string read_descriptor(BlobSource& blobs, const json& descriptor, const ImageLoadOptions& options,
                            std::string_view what) {
  bool is_manifest = what == "manifest" || what == "image index";
  std::string bytes = blobs.small_blob(descriptor, is_manifest, options, what);
  std::string digest = str(descriptor, "digest");
  if (image_detail::sha256_digest(bytes) != digest) {
    throw ImageError("digest mismatch for " + std::string(what) + " " + short_digest(digest));
  }
  return bytes;
}

std::string BlobSource::small_blob(const json& descriptor, bool, const ImageLoadOptions& options,
                                   std::string_view what) {
  Blob blob = blob_of(descriptor, what);
  if (blob.ref.size > options.max_json_bytes) {
    throw ImageError(std::string(what) + " is too large (" + std::to_string(blob.ref.size) + " bytes, limit " +
                     std::to_string(options.max_json_bytes) + ")");
  }
  std::string bytes(blob.ref.size, '\0');
  if (image_detail::pread_full(blob.ref.fd, bytes.data(), bytes.size(), blob.ref.offset) != bytes.size()) {
    throw ImageError(std::string(what) + " is truncated");
  }
  return bytes;
}

LoadedImage load_oci_manifest(BlobSource& blobs, const Context& ctx, const json& descriptor, std::string ref_name) {
  const auto& options = ctx.options;
  LoadedImage image;
  image.file = ctx.file;
  image.kind = ctx.kind;
  image.ref_name = std::move(ref_name);
  image.manifest_bytes = read_descriptor(blobs, descriptor, options, "manifest");
  image.manifest_digest = str(descriptor, "digest");
  json manifest = parse_json(image.manifest_bytes, options, "manifest");
  if (!manifest.is_object()) throw ImageError("manifest is not a JSON object");
  if (const json* version = member(manifest, "schemaVersion"); !version || *version != 2) {
    throw ImageError("unsupported manifest schemaVersion (only 2 is supported)");
  }
  const json* config_descriptor = member(manifest, "config");
  if (!config_descriptor || !config_descriptor->is_object()) throw ImageError("manifest has no config descriptor");
  image.config_bytes = read_descriptor(blobs, *config_descriptor, options, "config");
  image.config_digest = str(*config_descriptor, "digest");
  image.config = config_from_oci(parse_json(image.config_bytes, options, "config"));

  std::vector<LayerJob> jobs;
  const json* layers = member(manifest, "layers");
  if (layers && !layers->is_array()) throw ImageError("manifest layers is not an array");
  if (layers) {
    for (const auto& layer : *layers) {
      LayerInfo info;
      info.digest = str(layer, "digest");
      info.media_type = str(layer, "mediaType");
      Blob blob = locate_descriptor(blobs, layer, "layer");
      info.size = blob.ref.size;
      info.blob_path = blob.path;
      info.blob_offset = blob.ref.offset;
      size_t index = image.layers.size();
      std::string diff_id = index < image.config.diff_ids.size() ? image.config.diff_ids[index] : "";
      info.diff_id = diff_id;
      jobs.push_back({blob.ref, info.digest, diff_id});
      image.layers.push_back(std::move(info));
    }
  }
  finish_image(image, jobs, options);
  return image;
}

bool is_index_media_type(std::string_view type) {
  return type == "application/vnd.oci.image.index.v1+json" ||
         type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

struct Candidate {
  json descriptor;
  std::string ref_name;
  std::string platform;  // from the descriptor, when it says
};

std::string descriptor_platform(const json& descriptor) {
  const json* platform = member(descriptor, "platform");
  if (!platform) return {};
  std::string os = str(*platform, "os"), arch = str(*platform, "architecture"), variant = str(*platform, "variant");
  if (os.empty() && arch.empty()) return {};
  return os + "/" + arch + (variant.empty() ? "" : "/" + variant);
}

std::string annotation(const json& descriptor, std::string_view key) {
  const json* annotations = member(descriptor, "annotations");
  return annotations ? str(*annotations, key) : std::string();
}

void collect_manifests(BlobSource& blobs, const json& index, const ImageLoadOptions& options,
                       const std::string& inherited_ref, std::vector<std::string>& path, std::vector<Candidate>& out) {
  const json* manifests = member(index, "manifests");
  if (!manifests || !manifests->is_array()) throw ImageError("image index has no manifests list");
  for (const auto& descriptor : *manifests) {
    if (!descriptor.is_object()) throw ImageError("image index has a malformed descriptor");
    std::string digest = str(descriptor, "digest");
    image_detail::digest_hex(digest, "index entry");
    std::string ref = annotation(descriptor, "org.opencontainers.image.ref.name");
    if (ref.empty()) ref = annotation(descriptor, "io.containerd.image.name");
    if (ref.empty()) ref = inherited_ref;
    if (annotation(descriptor, "vnd.docker.reference.type") == "attestation-manifest") continue;
    std::string media_type = str(descriptor, "mediaType");
    if (is_index_media_type(media_type)) {
      if (std::find(path.begin(), path.end(), digest) != path.end()) {
        throw ImageError("image index refers to itself (" + short_digest(digest) + ")");
      }
      if (path.size() >= 8) throw ImageError("image indexes nested too deep");
      // An export of one platform may keep the whole index without the other platforms' blobs.
      if (!blobs.has(digest)) continue;
      json child = parse_json(read_descriptor(blobs, descriptor, options, "image index"), options, "image index");
      path.push_back(digest);
      collect_manifests(blobs, child, options, ref, path, out);
      path.pop_back();
      continue;
    }
    std::string platform = descriptor_platform(descriptor);
    if (platform.rfind("unknown/", 0) == 0) continue;  // BuildKit attestations
    out.push_back({descriptor, ref, platform});
  }
}

bool platform_matches(std::string_view available, std::string_view wanted) {
  if (available == wanted) return true;
  // "linux/arm64" matches "linux/arm64/v8": a missing variant on either side is a wildcard.
  auto two = [](std::string_view p) {
    size_t first = p.find('/');
    size_t second = first == std::string_view::npos ? first : p.find('/', first + 1);
    return p.substr(0, second);
  };
  bool wanted_has_variant = std::count(wanted.begin(), wanted.end(), '/') >= 2;
  bool available_has_variant = std::count(available.begin(), available.end(), '/') >= 2;
  return two(available) == two(wanted) && (!wanted_has_variant || !available_has_variant);
}

std::vector<LoadedImage> load_candidates(BlobSource& blobs, const Context& ctx, std::vector<Candidate> candidates,
                                         std::string_view where);

std::vector<LoadedImage> load_oci(BlobSource& blobs, const Context& ctx) {
  const auto& options = ctx.options;
  json index = parse_json(blobs.read("index.json", options.max_json_bytes, "index.json"), options, "index.json");
  if (!index.is_object()) throw ImageError("index.json is not a JSON object");
  std::vector<Candidate> candidates;
  std::vector<std::string> path;
  collect_manifests(blobs, index, options, "", path, candidates);
  return load_candidates(blobs, ctx, std::move(candidates), "index.json");
}

std::vector<LoadedImage> load_candidates(BlobSource& blobs, const Context& ctx, std::vector<Candidate> candidates,
                                         std::string_view where) {
  const auto& options = ctx.options;
  // The same manifest under several names is one image (the first name wins).
  std::vector<Candidate> unique;
  for (auto& c : candidates) {
    bool seen = std::any_of(unique.begin(), unique.end(), [&](const Candidate& u) {
      return str(u.descriptor, "digest") == str(c.descriptor, "digest");
    });
    if (!seen) unique.push_back(std::move(c));
  }
  if (unique.empty()) throw ImageError(std::string(where) + " lists no image manifest");

  std::vector<LoadedImage> images;
  if (unique.size() == 1 || options.all_platforms) {
    for (auto& c : unique) images.push_back(load_oci_manifest(blobs, ctx, c.descriptor, c.ref_name));
    return images;
  }
  std::set<std::string> available;
  for (auto& c : unique) {
    if (!c.platform.empty()) {
      available.insert(c.platform);
      if (platform_matches(c.platform, options.platform)) {
        images.push_back(load_oci_manifest(blobs, ctx, c.descriptor, c.ref_name));
      }
      continue;
    }
    // No platform on the descriptor: the config says (reading the layers only when it matches).
    ImageLoadOptions probe_options = options;
    probe_options.read_layers = false;
    Context probe{ctx.file, ctx.kind, probe_options};
    LoadedImage probed = load_oci_manifest(blobs, probe, c.descriptor, c.ref_name);
    available.insert(probed.platform);
    if (platform_matches(probed.platform, options.platform)) {
      images.push_back(options.read_layers ? load_oci_manifest(blobs, ctx, c.descriptor, c.ref_name)
                                           : std::move(probed));
    }
  }
  if (images.empty()) {
    std::string list;
    for (const auto& p : available) list += (list.empty() ? "" : ", ") + p;
    throw ImageError("no image for platform " + options.platform + " (available: " + list + ")");
  }
  return images;
}

// ---------------------------------------------------------------------------------------------
// A registry: manifests and small blobs fetched on demand, layers streamed by the workers.

class RemoteBlobs : public BlobSource {
 public:
  explicit RemoteBlobs(RemoteSource& remote) : remote_(remote) {}
  std::optional<Blob> locate(const std::string&) override { return std::nullopt; }
  bool has(const std::string&) override { return true; }
  Blob blob_of(const json& descriptor, std::string_view what) override {
    std::string digest = str(descriptor, "digest");
    image_detail::digest_hex(digest, what);
    const json* size = member(descriptor, "size");
    if (!size || !size->is_number_unsigned()) throw ImageError(std::string(what) + " descriptor has no size");
    BlobRef ref;
    ref.size = size->get<uint64_t>();
    ref.remote = &remote_;
    ref.digest = digest;
    return Blob{ref, digest};
  }
  std::string small_blob(const json& descriptor, bool is_manifest, const ImageLoadOptions& options,
                         std::string_view what) override {
    std::string digest = str(descriptor, "digest");
    image_detail::digest_hex(digest, what);
    if (auto it = known_.find(digest); it != known_.end()) return it->second;
    if (is_manifest) return remote_.manifest(digest, options.max_json_bytes);
    Blob blob = blob_of(descriptor, what);
    if (blob.ref.size > options.max_json_bytes) {
      throw ImageError(std::string(what) + " is too large (" + std::to_string(blob.ref.size) + " bytes, limit " +
                       std::to_string(options.max_json_bytes) + ")");
    }
    std::string bytes(blob.ref.size, '\0');
    auto stream = remote_.open_blob(digest, blob.ref.size);
    size_t done = 0;
    while (done < bytes.size()) {
      size_t n = stream->read(bytes.data() + done, bytes.size() - done);
      if (n == 0) throw ImageError(std::string(what) + " is truncated");
      done += n;
    }
    return bytes;
  }
  void remember(const std::string& digest, std::string bytes) { known_[digest] = std::move(bytes); }

 private:
  RemoteSource& remote_;
  std::map<std::string, std::string> known_;  // the root manifest, already fetched
};

// ---------------------------------------------------------------------------------------------
// docker-archive: manifest.json first; an embedded OCI layout (Docker 25+) must agree with it.

// "<hex>.json", "<hex>.tar", "blobs/sha256/<hex>" → "sha256:<hex>"; other names say nothing.
std::string digest_in_name(std::string_view name) {
  std::string_view base = name;
  if (base.rfind("blobs/sha256/", 0) == 0) {
    base.remove_prefix(13);
  } else if (base.size() == 69 && (base.substr(64) == ".json" || base.substr(64) == ".tar")) {
    base = base.substr(0, 64);
  } else if (base.size() == 68 && base.substr(64) == ".tar") {
    base = base.substr(0, 64);
  }
  if (base.size() != 64) return {};
  for (char c : base) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return "sha256:" + std::string(base);
}

void check_embedded_oci(image_detail::OuterTar& tar, BlobSource& blobs, const json& docker_manifest,
                        const ImageLoadOptions& options) {
  if (!tar.has("index.json")) return;
  json index = parse_json(blobs.read("index.json", options.max_json_bytes, "embedded index.json"), options,
                          "embedded index.json");
  std::vector<Candidate> candidates;
  std::vector<std::string> path;
  try {
    collect_manifests(blobs, index, options, "", path, candidates);
  } catch (const ImageError& e) {
    throw ImageError(std::string("embedded OCI layout: ") + e.what());
  }
  for (const auto& c : candidates) {
    if (!blobs.locate("blobs/sha256/" + image_detail::digest_hex(str(c.descriptor, "digest"), "manifest"))) continue;
    json manifest;
    try {
      manifest = parse_json(read_descriptor(blobs, c.descriptor, options, "manifest"), options, "manifest");
    } catch (const ImageError& e) {
      throw ImageError(std::string("embedded OCI layout: ") + e.what());
    }
    const json* config = member(manifest, "config");
    std::string config_digest = config ? str(*config, "digest") : "";
    for (const auto& entry : docker_manifest) {
      if (digest_in_name(str(entry, "Config")) != config_digest) continue;
      std::vector<std::string> docker_layers;
      for (const auto& name : string_list(member(entry, "Layers"))) docker_layers.push_back(digest_in_name(name));
      std::vector<std::string> oci_layers;
      if (const json* layers = member(manifest, "layers"); layers && layers->is_array()) {
        for (const auto& layer : *layers) oci_layers.push_back(str(layer, "digest"));
      }
      if (docker_layers != oci_layers) {
        throw ImageError("embedded OCI manifest " + short_digest(str(c.descriptor, "digest")) +
                         " disagrees with manifest.json about the layers");
      }
    }
  }
}

std::vector<LoadedImage> load_docker_archive(image_detail::OuterTar& tar, const Context& ctx) {
  const auto& options = ctx.options;
  TarBlobs blobs(tar);
  json manifest = parse_json(tar.read("manifest.json", options.max_json_bytes, "manifest.json"), options,
                             "manifest.json");
  if (!manifest.is_array() || manifest.empty()) throw ImageError("manifest.json is not a non-empty array");
  for (const auto& entry : manifest) {
    if (!entry.is_object()) throw ImageError("manifest.json has an entry that is not an object");
  }
  check_embedded_oci(tar, blobs, manifest, options);

  std::vector<LoadedImage> images;
  for (const auto& entry : manifest) {
    LoadedImage image;
    image.file = ctx.file;
    image.kind = ctx.kind;
    std::vector<std::string> tags = string_list(member(entry, "RepoTags"));
    if (!tags.empty()) image.ref_name = tags.front();
    std::string config_name = str(entry, "Config");
    if (config_name.empty()) throw ImageError("manifest.json entry has no Config");
    if (!tar.has(config_name)) throw ImageError("manifest.json references missing config " + config_name);
    image.config_bytes = tar.read(config_name, options.max_json_bytes, "config");
    image.config_digest = image_detail::sha256_digest(image.config_bytes);
    if (std::string named = digest_in_name(config_name); !named.empty() && named != image.config_digest) {
      throw ImageError("digest mismatch for config " + config_name);
    }
    image.config = config_from_oci(parse_json(image.config_bytes, options, "config"));
    std::vector<LayerJob> jobs;
    const json* layers = member(entry, "Layers");
    if (!layers || !layers->is_array()) throw ImageError("manifest.json entry has no Layers list");
    for (const auto& layer : *layers) {
      if (!layer.is_string()) throw ImageError("manifest.json has a layer name that is not a string");
      std::string name = layer.get<std::string>();
      const image_detail::TarMember* blob = tar.find(name);
      if (!blob) throw ImageError("manifest.json references missing layer " + name);
      LayerInfo info;
      info.digest = digest_in_name(name);
      info.size = blob->size;
      info.blob_path = name;
      info.blob_offset = blob->offset;
      size_t index = image.layers.size();
      std::string diff_id = index < image.config.diff_ids.size() ? image.config.diff_ids[index] : "";
      info.diff_id = diff_id;
      jobs.push_back({{tar.fd(), blob->offset, blob->size}, info.digest, diff_id});
      image.layers.push_back(std::move(info));
    }
    finish_image(image, jobs, options);
    images.push_back(std::move(image));
  }
  return images;
}

// ---------------------------------------------------------------------------------------------
// Input detection.

enum class Sniffed { Json, Gzip, Zstd, Tar, Unknown };

Sniffed sniff(const unsigned char* head, size_t size) {
  if (size >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Sniffed::Gzip;
  if (size >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return Sniffed::Zstd;
  if (image_detail::looks_like_tar_header(head, size)) return Sniffed::Tar;
  size_t i = 0;
  if (size >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) i = 3;  // UTF-8 BOM
  while (i < size && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
  if (i < size && (head[i] == '{' || head[i] == '[')) return Sniffed::Json;
  return Sniffed::Unknown;
}

bool is_inspect_object(const json& value) {
  const json* config = member(value, "Config");
  return config && config->is_object() &&
         (value.contains("Id") || value.contains("RootFS") || value.contains("Architecture") || value.contains("Os"));
}

bool is_config_object(const json& value) {
  return value.is_object() && (value.contains("rootfs") ||
                               (value.contains("config") && (value.contains("os") || value.contains("architecture"))));
}

std::vector<LoadedImage> load_json(const std::string& text, const Context& ctx) {
  json value = parse_json(text, ctx.options, "JSON input");
  std::vector<LoadedImage> images;
  auto add = [&](json object, bool inspect) {
    LoadedImage image;
    image.file = ctx.file;
    image.kind = inspect ? ImageInputKind::Inspect : ImageInputKind::ConfigJson;
    if (inspect) {
      std::vector<std::string> tags = string_list(member(object, "RepoTags"));
      if (!tags.empty()) image.ref_name = tags.front();
      std::string id = str(object, "Id");
      if (id.rfind("sha256:", 0) == 0) image.config_digest = id;
      image.config = config_from_inspect(std::move(object));
    } else {
      image.config_bytes = text;
      image.config_digest = image_detail::sha256_digest(text);
      image.config = config_from_oci(std::move(object));
    }
    image.platform = platform_of(image.config);
    for (const auto& diff_id : image.config.diff_ids) {
      LayerInfo info;
      info.diff_id = diff_id;
      image.layers.push_back(std::move(info));
    }
    images.push_back(std::move(image));
  };
  if (value.is_array()) {
    if (value.empty()) throw ImageError("inspect output holds no image");
    for (auto& item : value) {
      if (!is_inspect_object(item)) throw ImageError("JSON array is not inspect output (an object lacks Config)");
      add(std::move(item), true);
    }
  } else if (is_inspect_object(value)) {
    add(std::move(value), true);
  } else if (is_config_object(value)) {
    add(std::move(value), false);
  } else if (value.is_object() && value.contains("schemaVersion")) {
    throw ImageError("a manifest or index alone cannot be read: give the OCI layout directory or the archive");
  } else {
    throw ImageError("JSON input is neither an image config nor inspect output");
  }
  return images;
}

// Decompresses a gzip/zstd input into an unlinked temporary file.
Fd decompress_to_temp(int fd, uint64_t size, const ImageLoadOptions& options) {
  Fd out = image_detail::make_temp_file();
  image_detail::DecodedStream stream({fd, 0, size},
                                     {options.max_layer_bytes, options.max_ratio, options.ratio_grace_bytes});
  try {
    while (true) {
      std::string_view piece = stream.next();
      if (piece.empty()) break;
      while (!piece.empty()) {
        ssize_t n = ::write(out.get(), piece.data(), piece.size());
        if (n < 0) {
          if (errno == EINTR) continue;
          throw ImageError(std::string("cannot write a temporary file: ") + std::strerror(errno));
        }
        piece.remove_prefix(static_cast<size_t>(n));
      }
    }
  } catch (const ImageError& e) {
    throw ImageError(std::string("compressed archive: ") + e.what());
  }
  return out;
}

Fd spool_stdin(uint64_t max_bytes) {
  Fd out = image_detail::make_temp_file();
  std::vector<char> buffer(1 << 20);
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ImageError(std::string("cannot read stdin: ") + std::strerror(errno));
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) throw ImageError("stdin exceeds the limit of " + std::to_string(max_bytes) + " bytes");
    if (::write(out.get(), buffer.data(), static_cast<size_t>(n)) != n) {
      throw ImageError(std::string("cannot write a temporary file: ") + std::strerror(errno));
    }
  }
  return out;
}

std::vector<LoadedImage> load_from_fd(Fd fd, const std::string& file, const ImageLoadOptions& options,
                                      int decompressions) {
  uint64_t size = image_detail::file_size(fd.get());
  unsigned char head[512] = {};
  size_t got = image_detail::pread_full(fd.get(), head, sizeof head, 0);
  switch (sniff(head, got)) {
    case Sniffed::Json: {
      if (size > options.max_json_bytes) {
        throw ImageError("JSON input is too large (" + std::to_string(size) + " bytes, limit " +
                         std::to_string(options.max_json_bytes) + ")");
      }
      std::string text(size, '\0');
      text.resize(image_detail::pread_full(fd.get(), text.data(), size, 0));
      return load_json(text, {file, ImageInputKind::ConfigJson, options});
    }
    case Sniffed::Gzip:
    case Sniffed::Zstd:
      if (decompressions > 0) throw ImageError("compressed archive holds another compressed archive");
      return load_from_fd(decompress_to_temp(fd.get(), size, options), file, options, decompressions + 1);
    case Sniffed::Tar: {
      image_detail::OuterTar tar(fd.get(), size);
      if (tar.has("manifest.json")) return load_docker_archive(tar, {file, ImageInputKind::DockerArchive, options});
      if (tar.has("index.json")) {
        TarBlobs blobs(tar);
        return load_oci(blobs, {file, ImageInputKind::OciArchive, options});
      }
      throw ImageError("tar archive holds neither manifest.json (docker-archive) nor index.json (oci-archive)");
    }
    case Sniffed::Unknown: break;
  }
  if (size == 0) throw ImageError("not an image: the input is empty");
  throw ImageError("not an image: unrecognised content (expected a tar or compressed tar archive, JSON, or an OCI "
                   "layout directory)");
}

bool is_layout_dir(const std::string& path) {
  struct stat st {};
  return ::stat((path + "/index.json").c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::stat((path + "/oci-layout").c_str(), &st) == 0;
}

bool looks_like_archive_member(std::string_view name) {
  auto n = normalize_image_path(name);
  if (!n) return false;
  std::string_view rel = std::string_view(*n).substr(1);
  if (rel == "manifest.json" || rel == "index.json" || rel == "oci-layout" || rel == "repositories" ||
      rel == "blobs" || rel.rfind("blobs/", 0) == 0) {
    return true;
  }
  if (!digest_in_name(rel).empty()) return true;
  std::string_view first = rel.substr(0, rel.find('/'));  // legacy "<id>/layer.tar"
  return first.size() == 64 && !digest_in_name(std::string(first) + ".tar").empty();
}

}  // namespace

std::vector<LoadedImage> load_remote_images(RemoteSource& remote, const ImageLoadOptions& options) {
  try {
    RemoteBlobs blobs(remote);
    Context ctx{remote.display_name(), ImageInputKind::Registry, options};
    RemoteSource::Manifest root = remote.root_manifest(options.max_json_bytes);
    json parsed = parse_json(root.bytes, options, "manifest");
    if (!parsed.is_object()) throw ImageError("manifest is not a JSON object");
    std::string media_type = str(parsed, "mediaType");
    if (media_type.empty()) media_type = root.media_type;
    std::vector<Candidate> candidates;
    if (is_index_media_type(media_type) || (media_type.empty() && parsed.contains("manifests"))) {
      std::vector<std::string> path{root.digest};
      collect_manifests(blobs, parsed, options, "", path, candidates);
    } else {
      blobs.remember(root.digest, root.bytes);
      json descriptor = {{"mediaType", media_type}, {"digest", root.digest}, {"size", root.bytes.size()}};
      candidates.push_back({descriptor, "", ""});
    }
    std::vector<LoadedImage> images = load_candidates(blobs, ctx, std::move(candidates), "the image index");
    for (auto& image : images) {
      if (image.ref_name.empty()) image.ref_name = remote.display_name();
    }
    return images;
  } catch (const nlohmann::json::exception& e) {
    throw ImageError(std::string("malformed image JSON: ") + e.what());
  }
}

std::vector<LoadedImage> load_images(const std::string& path, const ImageLoadOptions& options) {
  try {
    if (path == "-") return load_from_fd(spool_stdin(options.max_layer_bytes), path, options, 0);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw ImageError("cannot open " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) {
      if (!is_layout_dir(path)) throw ImageError(path + " is a directory but not an OCI layout (no oci-layout/index.json)");
      DirectoryBlobs blobs(path);
      return load_oci(blobs, {path, ImageInputKind::OciLayout, options});
    }
    return load_from_fd(image_detail::open_readonly(path), path, options, 0);
  } catch (const nlohmann::json::exception& e) {
    throw ImageError(std::string("malformed image JSON: ") + e.what());
  }
}

namespace {

std::string_view compression_name(Sniffed s) { return s == Sniffed::Gzip ? "gzip" : "zstd"; }

// Instruction keywords BuildKit knows: a file whose first line is one of these (or a comment) is
// a Containerfile even with NUL bytes inside.
bool starts_like_containerfile(std::string_view head) {
  size_t pos = 0;
  if (head.starts_with("\xef\xbb\xbf")) pos = 3;
  while (pos < head.size()) {
    size_t eol = head.find('\n', pos);
    std::string_view line = head.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    size_t i = line.find_first_not_of(" \t\r\f\v");
    if (i == std::string_view::npos) {
      if (eol == std::string_view::npos) return false;
      pos = eol + 1;
      continue;
    }
    line.remove_prefix(i);
    if (line.front() == '#') return true;
    size_t word_end = line.find_first_of(" \t\r");
    std::string word(line.substr(0, word_end));
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const std::set<std::string, std::less<>> kKeywords = {
        "from", "run", "cmd", "label", "maintainer", "expose", "env", "add", "copy", "entrypoint",
        "volume", "user", "workdir", "arg", "onbuild", "stopsignal", "healthcheck", "shell"};
    return word_end != std::string_view::npos && kKeywords.count(word);
  }
  return false;
}

// Binary content a Containerfile never has: what it is, or empty.
std::string binary_kind(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.starts_with(magic); };
  if (starts("\x7f" "ELF")) return "an ELF binary";
  if (starts("PK\x03\x04")) return "a zip archive";
  if (starts("BZh")) return head.size() > 3 && head[3] >= '1' && head[3] <= '9' ? "bzip2-compressed data" : "";
  if (starts(std::string_view("\xfd" "7zXZ\0", 6))) return "xz-compressed data";
  if (starts("\x89PNG")) return "a PNG image";
  if (starts("MZ") && head.find('\0') != std::string_view::npos) return "a Windows executable";
  if (head.find('\0') == std::string_view::npos) return "";
  if (head.find_first_not_of('\0') == std::string_view::npos) return "only zero bytes (an empty tar archive?)";
  if (starts_like_containerfile(head)) return "";
  return "binary data (NUL bytes in the first KiB)";
}

std::string json_kind(const json& value) {
  if (value.is_object() && value.contains("schemaVersion")) {
    std::string media = value.contains("mediaType") && value["mediaType"].is_string() ? value["mediaType"].get<std::string>() : "";
    bool index = value.contains("manifests") || media.find("index") != std::string::npos ||
                 media.find("manifest.list") != std::string::npos;
    return std::string(index ? "an image index" : "a registry manifest") + (media.empty() ? "" : " (" + media + ")") +
           ", not an image config: give the OCI layout directory or the image archive";
  }
  return "JSON that is neither an image config nor `docker inspect` output";
}

InputClass classify_fd(int fd, const std::string& path) {
  uint64_t size = image_detail::file_size(fd);
  unsigned char head[1024] = {};
  size_t got = image_detail::pread_full(fd, head, sizeof head, 0);
  std::string_view text(reinterpret_cast<const char*>(head), got);
  switch (sniff(head, got)) {
    case Sniffed::Json: {
      if (size > (64u << 20)) throw ImageError("JSON input is too large (" + std::to_string(size) + " bytes, limit 67108864)");
      std::string bytes(size, '\0');
      bytes.resize(image_detail::pread_full(fd, bytes.data(), size, 0));
      json value;
      try {
        value = image_detail::parse_json_bounded(bytes, 64u << 20, 64, "JSON input");
      } catch (const nlohmann::json::exception& e) {
        throw ImageError(std::string("malformed JSON, neither a Containerfile nor an image: ") + e.what());
      }
      if (value.is_array() && !value.empty() && is_inspect_object(value.front())) {
        return {InputKind::Image, "docker inspect output"};
      }
      if (is_inspect_object(value)) return {InputKind::Image, "docker inspect output"};
      if (is_config_object(value)) return {InputKind::Image, "an image config"};
      throw ImageError(json_kind(value));
    }
    case Sniffed::Tar: {
      std::optional<image_detail::OuterTar> tar;
      try {
        tar.emplace(fd, size);
      } catch (const ImageError& e) {
        throw ImageError(std::string("tar archive that cannot be read: ") + e.what());
      }
      try {
        if (tar->has("manifest.json")) return {InputKind::Image, "a docker-archive"};
        if (tar->has("index.json")) return {InputKind::Image, "an oci-archive"};
      } catch (const ImageError& e) {
        throw ImageError(std::string("tar archive that cannot be read: ") + e.what());
      }
      throw ImageError("a tar archive but not an image: it holds neither manifest.json (docker-archive) nor index.json "
             "(oci-archive)");
    }
    case Sniffed::Gzip:
    case Sniffed::Zstd: {
      // Only the first tar header is looked at: decompressing everything just to route is too dear.
      std::string first;
      try {
        image_detail::DecodedStream stream({fd, 0, size}, {});
        while (first.size() < 512) {
          std::string_view piece = stream.next();
          if (piece.empty()) break;
          first.append(piece.substr(0, 512 - first.size()));
        }
      } catch (const ImageError& e) {
        throw ImageError(std::string(compression_name(sniff(head, got))) + "-compressed data that cannot be decompressed: " + e.what());
      }
      const auto* block = reinterpret_cast<const unsigned char*>(first.data());
      if (!image_detail::looks_like_tar_header(block, first.size())) {
        throw ImageError(std::string(compression_name(sniff(head, got))) + "-compressed data, not an image archive");
      }
      std::string name(first.data(), strnlen(first.data(), 100));
      if (!looks_like_archive_member(name)) {
        throw ImageError(std::string("a ") + std::string(compression_name(sniff(head, got))) +
               "-compressed tar archive but not an image (its first entry is '" + name.substr(0, 100) + "')");
      }
      return {InputKind::Image, std::string("a ") + std::string(compression_name(sniff(head, got))) + "-compressed image archive"};
    }
    case Sniffed::Unknown: break;
  }
  if (size == 0) {
    for (std::string_view ext : {".tar", ".tar.gz", ".tgz", ".tar.zst", ".oci", ".json"}) {
      if (std::string_view(path).ends_with(ext)) throw ImageError("an empty file: not an image archive (nor a Containerfile)");
    }
  }
  if (std::string what = binary_kind(text); !what.empty()) throw ImageError(what + ", not a Containerfile or an image");
  return {InputKind::Containerfile, "a Containerfile"};
}

}  // namespace

InputClass classify_input(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw ImageError(std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    if (is_layout_dir(path)) return {InputKind::Image, "an OCI layout directory"};
    throw ImageError("a directory, not an OCI layout (no oci-layout and index.json)");
  }
  // A pipe or device cannot be read twice: it is read as a Containerfile, checked by classify_bytes.
  if (!S_ISREG(st.st_mode)) return {InputKind::Containerfile, "a Containerfile"};
  Fd fd = image_detail::open_readonly(path);
  try {
    return classify_fd(fd.get(), path);
  } catch (const nlohmann::json::exception& e) {
    throw ImageError(std::string("malformed JSON: ") + e.what());
  }
}

InputClass classify_bytes(std::string_view bytes, const std::string& name) {
  // The same decision as for a file: the bytes go into an anonymous in-memory file.
  Fd fd(::memfd_create("okdlint-input", MFD_CLOEXEC));
  if (!fd) throw ImageError(std::string("cannot create an in-memory file: ") + std::strerror(errno));
  std::string_view rest = bytes;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ImageError(std::string("cannot write an in-memory file: ") + std::strerror(errno));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  try {
    return classify_fd(fd.get(), name);
  } catch (const nlohmann::json::exception& e) {
    throw ImageError(std::string("malformed JSON: ") + e.what());
  }
}

bool looks_like_image(const std::string& path) {
  if (path == "-") return false;
  try {
    return classify_input(path).kind == InputKind::Image;
  } catch (const ImageError&) {
    return false;
  }
}

}  // namespace okd
