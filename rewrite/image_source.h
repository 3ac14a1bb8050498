// Where a loaded image's blobs are, for the rewriter: the input is reopened (an archive is indexed
// again, a compressed one decompressed once to an unlinked temporary file), and the few files the
// rewrite copies up are read back from their layers into a spool file, never into memory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lint/image/detail.h"
#include "lint/image/image.h"
#include "lint/image/layer_reader.h"
#include "lint/image/outer_tar.h"

namespace okd {

class ImageBlobs {
 public:
  // Throws ImageError when the input cannot be reopened or no longer matches what was loaded.
  explicit ImageBlobs(const LoadedImage& image);
  ImageBlobs(const ImageBlobs&) = delete;
  ImageBlobs& operator=(const ImageBlobs&) = delete;
  ~ImageBlobs();

  image_detail::BlobRef layer(size_t index) const { return layers_.at(index); }
  // Copies a blob's bytes to a sink in fixed-size pieces.
  template <class Sink>
  void copy_layer(size_t index, Sink&& sink) const {
    image_detail::BlobRef ref = layer(index);
    std::vector<char> buffer(kCopyChunk);
    uint64_t done = 0;
    while (done < ref.size) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), ref.size - done));
      if (image_detail::pread_full(ref.fd, buffer.data(), want, ref.offset + done) != want) {
        throw ImageError("layer " + std::to_string(index + 1) + " is truncated");
      }
      sink(buffer.data(), want);
      done += want;
    }
  }
  static constexpr size_t kCopyChunk = 1 << 20;

 private:
  image_detail::Fd archive_;
  std::unique_ptr<image_detail::OuterTar> tar_;
  std::vector<image_detail::Fd> layer_files_;
  std::vector<image_detail::BlobRef> layers_;
};

// A file's content and metadata read back from one layer.
struct SpooledFile {
  bool found = false;
  uint64_t offset = 0, size = 0;  // in the spool
  int64_t mtime = 0;              // whole seconds
  std::vector<std::pair<std::string, std::string>> xattrs;  // name → value, sorted by name
};

class SourceSpool {
 public:
  SourceSpool();
  // Reads each wanted (layer, path) once: every layer that holds one is streamed once, in order;
  // regular files' bytes go to the spool (sparse holes as zeros), xattrs and mtime to the record.
  void read(const ImageBlobs& blobs, const std::map<uint32_t, std::set<std::string>>& wanted);
  const SpooledFile& find(uint32_t layer, const std::string& path) const;  // throws ImageError when absent
  int fd() const { return spool_.get(); }

 private:
  image_detail::Fd spool_;
  uint64_t end_ = 0;
  std::map<std::pair<uint32_t, std::string>, SpooledFile> files_;
};

}  // namespace okd
