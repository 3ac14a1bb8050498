#include "rewrite/image_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdint>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "rewrite/image_mutate.h"
#include "rewrite/image_source.h"

// libarchive's pax and ustar writers call this one helper, which lives in the object file that
// also holds libarchive's table of every write format (archive_write_set_format.o). Linking the
// static libarchive would pull that table in, and with it the 7zip, xar, zip and iso9660 writers
// and their shared libraries (libxml2 and ICU, liblzma, libbz2, nettle), all loaded at every
// start of okdlint although it only ever writes tar. Defining the helper here (same behaviour as
// libarchive 3.6/3.7's) keeps the table out of the link; a shared libarchive ignores it.
// (EILSEQ is what libarchive calls ARCHIVE_ERRNO_FILE_FORMAT on Linux.)
extern "C" void __archive_write_entry_filetype_unsupported(struct archive* a, struct archive_entry* entry,
                                                          const char* format) {
  const char* name = nullptr;
  switch (archive_entry_filetype(entry)) {
    case AE_IFDIR: name = "directories"; break;
    case AE_IFLNK: name = "symbolic links (AE_IFLNK)"; break;
    case AE_IFCHR: name = "character devices (AE_IFCHR)"; break;
    case AE_IFBLK: name = "block devices (AE_IFBLK)"; break;
    case AE_IFIFO: name = "named pipes (AE_IFIFO)"; break;
    case AE_IFSOCK: name = "sockets (AE_IFSOCK)"; break;
    default: break;
  }
  if (name) {
    archive_set_error(a, EILSEQ, "%s: %s format cannot archive %s", archive_entry_pathname(entry),
                      format, name);
  } else {
    archive_set_error(a, EILSEQ, "%s: %s format cannot archive files with mode 0%lo",
                      archive_entry_pathname(entry), format, static_cast<unsigned long>(archive_entry_mode(entry)));
  }
}

namespace okd {

using nlohmann::json;

namespace {

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kRefName = "org.opencontainers.image.ref.name";

using ByteSink = std::function<void(const char*, size_t)>;

// One file of the output: its name inside the archive or layout, size, and a writer of its bytes.
struct OutFile {
  std::string name;
  uint64_t size = 0;
  std::function<void(const ByteSink&)> write;
};

OutFile bytes_file(std::string name, std::shared_ptr<const std::string> bytes) {
  uint64_t size = bytes->size();
  return {std::move(name), size, [bytes](const ByteSink& sink) { sink(bytes->data(), bytes->size()); }};
}

std::string hex_of(const std::string& digest) { return image_detail::digest_hex(digest, "blob"); }

[[noreturn]] void fail_output(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string parent_directory(const std::string& path) {
  std::filesystem::path p(path);
  std::string parent = p.parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string base_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// The input must never be overwritten: OUT may not be the input file or layout directory.
void refuse_same_as_input(const std::string& input, const std::string& out_path) {
  struct stat in {}, out {};
  if (::stat(input.c_str(), &in) == 0 && ::stat(out_path.c_str(), &out) == 0 && in.st_dev == out.st_dev &&
      in.st_ino == out.st_ino) {
    throw ImageError("the output " + out_path + " is the input: rewrite never modifies its input");
  }
}

// A deterministic outer tar: pax (restricted), uid/gid 0, mtime 0, fixed modes, given order.
void write_tar(int fd, const std::string& display, const std::vector<std::string>& directories,
               const std::vector<OutFile>& files) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> writer(archive_write_new(), archive_write_free);
  struct archive* a = writer.get();
  auto check = [&](int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return;
    const char* message = archive_error_string(a);
    fail_output(display, what + ": " + (message ? message : "libarchive error"));
  };
  check(archive_write_set_format_pax_restricted(a), "tar format");
  check(archive_write_add_filter_none(a), "tar filter");
  // Unblocked: blob bytes go straight to write(2) instead of through a 10 KiB staging block.
  check(archive_write_set_bytes_per_block(a, 0), "tar blocking");
  check(archive_write_open_fd(a, fd), "open");
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
  auto header = [&](const std::string& name, bool directory, uint64_t size) {
    archive_entry* ae = entry.get();
    archive_entry_clear(ae);
    archive_entry_set_pathname(ae, name.c_str());
    archive_entry_set_filetype(ae, directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(ae, directory ? 0755 : 0644);
    archive_entry_set_uid(ae, 0);
    archive_entry_set_gid(ae, 0);
    archive_entry_set_mtime(ae, 0, 0);
    archive_entry_set_size(ae, static_cast<la_int64_t>(size));
    check(archive_write_header(a, ae), name);
  };
  for (const auto& dir : directories) header(dir, true, 0);
  for (const OutFile& file : files) {
    header(file.name, false, file.size);
    uint64_t written = 0;
    file.write([&](const char* data, size_t size) {
      if (archive_write_data(a, data, size) < 0) check(ARCHIVE_FATAL, file.name);
      written += size;
    });
    if (written != file.size) fail_output(display, file.name + " changed size while it was copied");
  }
  check(archive_write_close(a), "close");
}

void write_fd_all(int fd, const char* data, size_t size, const std::string& display) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_output(display, std::string("write failed: ") + std::strerror(errno));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// OUT as one file: written to a temporary file beside it, synced, renamed over OUT.
void write_archive_atomically(const std::string& out_path, const std::vector<std::string>& directories,
                              const std::vector<OutFile>& files) {
  struct stat st {};
  if (::stat(out_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail_output(out_path, "is a directory");
  std::string temp = parent_directory(out_path) + "/." + base_name(out_path) + ".okdlint-XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail_output(out_path, std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
  image_detail::Fd owned(fd);
  try {
    write_tar(fd, out_path, directories, files);
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) fail_output(out_path, std::string("sync failed: ") + std::strerror(errno));
    if (::rename(temp.c_str(), out_path.c_str()) != 0) {
      fail_output(out_path, std::string("cannot rename the temporary file: ") + std::strerror(errno));
    }
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

// OUT as an OCI layout directory: built in a temporary directory beside it, then renamed into
// place (an existing OUT directory is moved aside first and removed after).
void write_layout_atomically(const std::string& out_path, const std::vector<OutFile>& files) {
  namespace fs = std::filesystem;
  struct stat st {};
  bool exists = ::lstat(out_path.c_str(), &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) fail_output(out_path, "exists and is not a directory");
  std::string temp = parent_directory(out_path) + "/." + base_name(out_path) + ".okdlint-XXXXXX";
  if (!::mkdtemp(temp.data())) fail_output(out_path, std::string("cannot create a directory beside it: ") + std::strerror(errno));
  try {
    ::chmod(temp.c_str(), 0755);
    for (const OutFile& file : files) {
      std::string path = temp + "/" + file.name;
      fs::create_directories(fs::path(path).parent_path());
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) fail_output(out_path, "cannot create " + file.name + ": " + std::strerror(errno));
      image_detail::Fd owned(fd);
      uint64_t written = 0;
      file.write([&](const char* data, size_t size) {
        write_fd_all(fd, data, size, out_path);
        written += size;
      });
      if (written != file.size) fail_output(out_path, file.name + " changed size while it was copied");
      if (::fsync(fd) != 0) fail_output(out_path, std::string("sync failed: ") + std::strerror(errno));
    }
    if (exists) {
      std::string aside = temp + ".old";
      if (::rename(out_path.c_str(), aside.c_str()) != 0) {
        fail_output(out_path, std::string("cannot move the old directory aside: ") + std::strerror(errno));
      }
      if (::rename(temp.c_str(), out_path.c_str()) != 0) {
        int error = errno;
        ::rename(aside.c_str(), out_path.c_str());
        fail_output(out_path, std::string("cannot rename the new layout into place: ") + std::strerror(error));
      }
      std::error_code ignored;
      fs::remove_all(aside, ignored);
    } else if (::rename(temp.c_str(), out_path.c_str()) != 0) {
      fail_output(out_path, std::string("cannot rename the new layout into place: ") + std::strerror(errno));
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
}

std::string layer_media_type(const LayerInfo& layer, bool docker) {
  if (!layer.media_type.empty()) return layer.media_type;
  if (docker) {
    return layer.compression == "gzip" ? kDockerLayerGzip : "application/vnd.docker.image.rootfs.diff.tar";
  }
  if (layer.compression == "gzip") return kOciLayerGzip;
  if (layer.compression == "zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.oci.image.layer.v1.tar";
}

}  // namespace

std::optional<ImageOutputFormat> parse_image_output_format(std::string_view text) {
  if (text == "oci-archive") return ImageOutputFormat::OciArchive;
  if (text == "docker-archive") return ImageOutputFormat::DockerArchive;
  if (text == "oci") return ImageOutputFormat::OciLayout;
  return std::nullopt;
}

std::string_view to_string(ImageOutputFormat format) {
  switch (format) {
    case ImageOutputFormat::OciArchive: return "oci-archive";
    case ImageOutputFormat::DockerArchive: return "docker-archive";
    case ImageOutputFormat::OciLayout: return "oci";
  }
  return "oci-archive";
}

std::string transport_reference(ImageOutputFormat format, const std::string& out_path) {
  return std::string(to_string(format)) + ":" + out_path;
}

RewriteResult write_rewritten_image(const LoadedImage& image, const ImagePlan& plan, const std::string& out_path,
                                    const ImageWriteOptions& options) {
  if (plan.needs_layer() && image.layers.size() >= kMaxImageLayers) {
    throw ImageError("the image already has " + std::to_string(image.layers.size()) +
                     " layers; appending the fix layer would pass the limit of " + std::to_string(kMaxImageLayers) +
                     " (squash the image first)");
  }
  refuse_same_as_input(image.file, out_path);
  ImageBlobs blobs(image);

  RewriteResult result;
  std::optional<BuiltLayer> layer;
  if (plan.needs_layer()) {
    SourceSpool spool;
    spool.read(blobs, planned_sources(plan));
    layer = build_fix_layer(plan, spool, rewrite_timestamp(image));
    result.layer_digest = layer->digest;
    result.layer_diff_id = layer->diff_id;
    result.layer_size = layer->size;
    result.entries = plan.entries.size();
  }
  auto config = std::make_shared<const std::string>(patch_config(image, plan, layer ? &*layer : nullptr));
  result.config_digest = image_detail::sha256_digest(*config);
  result.ref_name = options.tag.empty() ? image.ref_name : options.tag;
  result.layer_count = image.layers.size() + (layer ? 1 : 0);

  // The manifest: the input's with the config and the new layer (OCI inputs keep their fields),
  // or a new OCI manifest for docker-archive inputs.
  json manifest;
  bool docker_types = false;
  if (!image.manifest_bytes.empty()) {
    manifest = json::parse(image.manifest_bytes);
    docker_types = manifest.value("mediaType", "") == kDockerManifest;
  } else {
    manifest = {{"schemaVersion", 2}, {"mediaType", kOciManifest}, {"config", {{"mediaType", kOciConfig}}}};
    json layers = json::array();
    for (const LayerInfo& info : image.layers) {
      layers.push_back({{"mediaType", layer_media_type(info, false)}, {"digest", info.digest}, {"size", info.size}});
    }
    manifest["layers"] = std::move(layers);
  }
  manifest["config"]["digest"] = result.config_digest;
  manifest["config"]["size"] = config->size();
  if (layer) {
    if (!manifest["layers"].is_array()) manifest["layers"] = json::array();
    manifest["layers"].push_back(
        {{"mediaType", docker_types ? kDockerLayerGzip : kOciLayerGzip}, {"digest", layer->digest}, {"size", layer->size}});
  }
  auto manifest_bytes = std::make_shared<const std::string>(manifest.dump());
  result.manifest_digest = image_detail::sha256_digest(*manifest_bytes);

  // Every blob once, by digest: configs, manifest, the input's layers (byte for byte), the new layer.
  std::vector<OutFile> blob_files;
  auto add_blob = [&](const std::string& digest, OutFile file) {
    file.name = "blobs/sha256/" + hex_of(digest);
    for (const OutFile& existing : blob_files) {
      if (existing.name == file.name) return;
    }
    blob_files.push_back(std::move(file));
  };
  add_blob(result.config_digest, bytes_file("", config));
  if (options.format != ImageOutputFormat::DockerArchive) add_blob(result.manifest_digest, bytes_file("", manifest_bytes));
  for (size_t i = 0; i < image.layers.size(); ++i) {
    add_blob(image.layers[i].digest, {"", image.layers[i].size, [&blobs, i](const ByteSink& sink) {
                                        blobs.copy_layer(i, [&](const char* data, size_t size) { sink(data, size); });
                                      }});
  }
  if (layer) {
    int fd = layer->file.get();
    uint64_t size = layer->size;
    add_blob(layer->digest, {"", size, [fd, size](const ByteSink& sink) {
                               std::vector<char> buffer(ImageBlobs::kCopyChunk);
                               uint64_t done = 0;
                               while (done < size) {
                                 size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - done));
                                 if (image_detail::pread_full(fd, buffer.data(), want, done) != want) {
                                   throw std::runtime_error("the new layer's temporary file is truncated");
                                 }
                                 sink(buffer.data(), want);
                                 done += want;
                               }
                             }});
  }
  std::sort(blob_files.begin(), blob_files.end(), [](const OutFile& a, const OutFile& b) { return a.name < b.name; });

  std::vector<OutFile> files;
  if (options.format == ImageOutputFormat::DockerArchive) {
    json entry = {{"Config", "blobs/sha256/" + hex_of(result.config_digest)}, {"RepoTags", json::array()}};
    if (!result.ref_name.empty()) entry["RepoTags"].push_back(result.ref_name);
    json layers = json::array();
    for (const LayerInfo& info : image.layers) layers.push_back("blobs/sha256/" + hex_of(info.digest));
    if (layer) layers.push_back("blobs/sha256/" + hex_of(layer->digest));
    entry["Layers"] = std::move(layers);
    files = std::move(blob_files);
    files.push_back(bytes_file("manifest.json", std::make_shared<const std::string>(json::array({entry}).dump())));
    write_archive_atomically(out_path, {"blobs/", "blobs/sha256/"}, files);
    return result;
  }

  json descriptor = {{"mediaType", docker_types ? kDockerManifest : kOciManifest},
                     {"digest", result.manifest_digest},
                     {"size", manifest_bytes->size()}};
  if (!result.ref_name.empty()) descriptor["annotations"] = {{kRefName, result.ref_name}};
  json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", json::array({descriptor})}};
  files.push_back(bytes_file("oci-layout", std::make_shared<const std::string>("{\"imageLayoutVersion\":\"1.0.0\"}")));
  files.push_back(bytes_file("index.json", std::make_shared<const std::string>(index.dump())));
  for (auto& f : blob_files) files.push_back(std::move(f));
  if (options.format == ImageOutputFormat::OciLayout) {
    write_layout_atomically(out_path, files);
  } else {
    write_archive_atomically(out_path, {"blobs/", "blobs/sha256/"}, files);
  }
  return result;
}

}  // namespace okd
