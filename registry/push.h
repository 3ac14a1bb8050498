// Pushes an image written by `okdlint rewrite` (oci-archive or OCI layout) to a registry: blobs
// the repository already has are skipped (HEAD), blobs another repository of the same registry
// has are mounted, the rest are uploaded from the file (monolithic, or chunked when asked); then
// the config and the manifest.
#pragma once

#include <cstdint>
#include <string>

#include "lint/image/image.h"
#include "registry/client.h"

namespace okd::registry {

struct PushOptions {
  std::string mount_from;   // a repository of the same registry to mount missing blobs from
  uint64_t chunk_size = 0;  // 0: one PUT per blob
};

struct PushResult {
  size_t uploaded = 0, skipped = 0, mounted = 0;
  uint64_t bytes_uploaded = 0;
  std::string manifest_digest;
};

// image was loaded from an oci-archive or OCI layout (manifest bytes and blob offsets known).
PushResult push_image(Client& client, const LoadedImage& image, const RemoteReference& destination,
                      const PushOptions& options);

}  // namespace okd::registry
