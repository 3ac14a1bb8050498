#include "registry/push.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "lint/image/detail.h"

namespace okd::registry {

namespace {

struct PushBlob {
  std::string digest;
  uint64_t size = 0;
  Client::BlobReader read;
};

}  // namespace

PushResult push_image(Client& client, const LoadedImage& image, const RemoteReference& destination,
                      const PushOptions& options) {
  if (image.manifest_bytes.empty()) {
    throw RegistryError("pushing needs an OCI image (oci-archive or oci): " + image.file + " has no manifest blob");
  }
  std::vector<image_detail::Fd> files;
  std::vector<PushBlob> blobs;
  for (const LayerInfo& layer : image.layers) {
    std::string path = image.kind == ImageInputKind::OciLayout ? layer.blob_path : image.file;
    files.push_back(image_detail::open_readonly(path));
    int fd = files.back().get();
    uint64_t base = image.kind == ImageInputKind::OciLayout ? 0 : layer.blob_offset;
    uint64_t size = layer.size;
    blobs.push_back({layer.digest, size, [fd, base, size](uint64_t at, char* buffer, size_t want) -> size_t {
                       if (at >= size) return 0;
                       size_t n = static_cast<size_t>(std::min<uint64_t>(want, size - at));
                       size_t got = image_detail::pread_full(fd, buffer, n, base + at);
                       if (got != n) throw RegistryError("a blob of the image is truncated");
                       return got;
                     }});
  }
  const std::string& config = image.config_bytes;
  blobs.push_back({image.config_digest, config.size(), [&config](uint64_t at, char* buffer, size_t want) -> size_t {
                     if (at >= config.size()) return 0;
                     size_t n = std::min<size_t>(want, config.size() - at);
                     std::copy_n(config.data() + at, n, buffer);
                     return n;
                   }});

  PushResult result;
  for (const PushBlob& blob : blobs) {
    if (client.blob_exists(destination.repository, blob.digest)) {
      ++result.skipped;
      client.stats().blobs_skipped.fetch_add(1);
      continue;
    }
    if (!options.mount_from.empty() && options.mount_from != destination.repository &&
        client.mount_blob(destination.repository, blob.digest, options.mount_from)) {
      ++result.mounted;
      client.stats().blobs_mounted.fetch_add(1);
      continue;
    }
    client.upload_blob(destination.repository, blob.digest, blob.size, blob.read, options.chunk_size);
    ++result.uploaded;
    result.bytes_uploaded += blob.size;
  }
  auto manifest = nlohmann::json::parse(image.manifest_bytes, nullptr, false);
  std::string media_type = manifest.is_object() ? manifest.value("mediaType", "") : "";
  if (media_type.empty()) media_type = "application/vnd.oci.image.manifest.v1+json";
  client.put_manifest(destination.repository, destination.reference, image.manifest_bytes, media_type);
  result.manifest_digest = image.manifest_digest.empty() ? image_detail::sha256_digest(image.manifest_bytes)
                                                         : image.manifest_digest;
  return result;
}

}  // namespace okd::registry
