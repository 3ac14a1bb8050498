// The whole of `okdlint rewrite` below the CLI: plan, copy up, build the layer, patch the config
// and manifest, and write OUT atomically as an oci-archive, a docker-archive or an OCI layout.
// Unchanged blobs are copied byte for byte with a fixed buffer, so base-layer digests stay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lint/image/image.h"
#include "rewrite/image_plan.h"

namespace okd {

enum class ImageOutputFormat { OciArchive, DockerArchive, OciLayout };
std::optional<ImageOutputFormat> parse_image_output_format(std::string_view text);  // oci-archive|docker-archive|oci
std::string_view to_string(ImageOutputFormat format);
// The skopeo/containers transport naming OUT in that format ("oci-archive:OUT").
std::string transport_reference(ImageOutputFormat format, const std::string& out_path);

inline constexpr size_t kMaxImageLayers = 40;

struct ImageWriteOptions {
  ImageOutputFormat format = ImageOutputFormat::OciArchive;
  std::string tag;  // ref name for the index / RepoTags; empty: the input's
};

struct RewriteResult {
  std::string config_digest, manifest_digest;
  std::string layer_digest, layer_diff_id;  // empty when no layer was appended
  uint64_t layer_size = 0;
  size_t layer_count = 0;  // layers of the written image
  std::string ref_name;
  size_t entries = 0;  // entries of the appended layer
};

// Writes the rewritten image to out_path (temporary file or directory beside it, then rename).
// Throws ImageError for input problems (including 40 layers already) and std::runtime_error for
// output problems; out_path is left untouched on failure.
RewriteResult write_rewritten_image(const LoadedImage& image, const ImagePlan& plan, const std::string& out_path,
                                    const ImageWriteOptions& options);

}  // namespace okd
