// The mutation half of `okdlint rewrite`: the appended layer (a deterministic gzip tar built from
// the plan and the copied-up sources) and the patched config and manifest JSON.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "lint/image/detail.h"
#include "lint/image/image.h"
#include "rewrite/image_plan.h"
#include "rewrite/image_source.h"

namespace okd {

// Layer media types for the manifest.
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

struct BuiltLayer {
  image_detail::Fd file;  // the compressed blob, in an unlinked temporary file
  std::string digest;     // sha256 of the blob
  std::string diff_id;    // sha256 of the uncompressed tar
  uint64_t size = 0;
  uint64_t uncompressed_size = 0;
};

// Which (layer, path) sources the plan reads: content of copied-up files, xattrs of directories.
std::map<uint32_t, std::set<std::string>> planned_sources(const ImagePlan& plan);

// The fixed mtime of the rewrite's own entries (directories, the history entry): the config's
// `created` time in whole seconds, 0 when it has none. Copied-up files keep their own mtime.
int64_t rewrite_timestamp(const LoadedImage& image);

// Writes the layer: entries in byte-wise path order, pax (restricted) headers, numeric ids only,
// whole-second mtimes, gzip (ISA-L level 1) without name or timestamp. Same plan and sources →
// same bytes.
BuiltLayer build_fix_layer(const ImagePlan& plan, const SourceSpool& sources, int64_t timestamp);

// The config with User, ExposedPorts, history and rootfs.diff_ids patched (layer may be null when
// the plan needs none). Compact JSON with sorted keys: deterministic.
std::string patch_config(const LoadedImage& image, const ImagePlan& plan, const BuiltLayer* layer);

// The one-line summary used as the history comment and printed by the CLI.
std::string plan_summary(const ImagePlan& plan);

}  // namespace okd
