// One layer blob, streamed once: pread → sha256 (blob digest) → gzip (ISA-L) / zstd / none →
// sha256 (diff_id) → libarchive tar headers → LayerChanges. Memory is a few fixed buffers plus
// one record per tar entry; file bytes are never kept (except the few captured small files).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lint/image/filesystem.h"
#include "lint/image/image.h"

namespace okd::image_detail {

struct BlobRef {
  BlobRef() = default;
  BlobRef(int fd, uint64_t offset, uint64_t size) : fd(fd), offset(offset), size(size) {}
  int fd = -1;
  uint64_t offset = 0;  // where the blob's bytes start in fd
  uint64_t size = 0;
  // A registry blob instead of a file: streamed in order from remote->open_blob(digest, size).
  RemoteSource* remote = nullptr;
  std::string digest;
};

struct DecodeLimits {
  uint64_t max_bytes = 64ull << 30;  // uncompressed
  uint64_t max_ratio = 1000;
  uint64_t ratio_grace_bytes = 1ull << 30;
};

struct LayerScan {
  LayerChanges changes;
  std::string blob_digest;  // "sha256:…" of the blob bytes
  std::string diff_id;      // "sha256:…" of the uncompressed tar
  uint64_t uncompressed_size = 0;
  std::string compression;  // none | gzip | zstd
};

// Streams a blob through decompression (detected by magic bytes), hashing both sides. Used for
// layers and for a compressed outer archive (spooled to a temporary file).
class DecodedStream {
 public:
  DecodedStream(BlobRef blob, DecodeLimits limits, std::atomic<uint64_t>* bytes_read = nullptr,
                const std::atomic<bool>* cancel = nullptr);
  ~DecodedStream();
  DecodedStream(const DecodedStream&) = delete;
  DecodedStream& operator=(const DecodedStream&) = delete;

  // The next piece of uncompressed bytes; empty once the stream ended cleanly (trailers checked).
  // The view is valid until the next call. Throws ImageError.
  std::string_view next();
  std::string_view compression() const;
  uint64_t produced() const { return produced_; }
  // Both valid after next() returned empty.
  std::string blob_digest();
  std::string uncompressed_digest();

 private:
  enum class Codec { None, Gzip, Zstd };
  bool fill_input();  // false at end of blob
  std::string_view next_gzip();
  std::string_view next_zstd();
  std::string_view emit(size_t produced);
  void finish_trailing_bytes();

  BlobRef blob_;
  DecodeLimits limits_;
  std::atomic<uint64_t>* bytes_read_;
  const std::atomic<bool>* cancel_;
  Codec codec_ = Codec::None;
  struct State;
  std::unique_ptr<State> state_;  // buffers, hashers and decoder states
  uint64_t consumed_ = 0;  // blob bytes read so far
  uint64_t produced_ = 0;
  bool finished_ = false;
};

LayerScan scan_layer(BlobRef blob, const DecodeLimits& limits, std::atomic<uint64_t>* bytes_read,
                     const std::atomic<bool>* cancel);

}  // namespace okd::image_detail
