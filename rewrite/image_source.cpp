#include "rewrite/image_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdint>
#include <isa-l/igzip_lib.h>
#include <zstd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

namespace okd {

using image_detail::BlobRef;
using image_detail::Fd;

namespace {

void write_all(int fd, const void* data, size_t size, std::string_view what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ImageError(std::string("cannot write ") + std::string(what) + ": " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Decompresses a gzip/zstd archive into an unlinked temporary file; plain archives are used as is.
Fd plain_archive(Fd input) {
  unsigned char head[4] = {};
  size_t got = image_detail::pread_full(input.get(), head, sizeof head, 0);
  bool gzip = got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
  bool zstd = got >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd;
  if (!gzip && !zstd) return input;
  Fd out = image_detail::make_temp_file();
  image_detail::DecodedStream stream({input.get(), 0, image_detail::file_size(input.get())}, {});
  while (true) {
    std::string_view piece = stream.next();
    if (piece.empty()) break;
    write_all(out.get(), piece.data(), piece.size(), "a temporary file");
  }
  return out;
}

// A layer's uncompressed bytes, without the digests: the loader already checked them, and on a
// copy-up of a gigabyte hashing both sides again would cost as much as the inflating.
class LayerBytes {
 public:
  explicit LayerBytes(BlobRef blob) : blob_(blob), in_(kChunk), out_(kChunk) {
    fill();
    if (in_len_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b) {
      codec_ = Codec::Gzip;
      isal_inflate_init(&gzip_);
      gzip_.crc_flag = ISAL_GZIP;
    } else if (in_len_ >= 4 && in_[0] == 0x28 && in_[1] == 0xb5 && in_[2] == 0x2f && in_[3] == 0xfd) {
      codec_ = Codec::Zstd;
      zstd_ = ZSTD_createDStream();
      if (!zstd_) throw ImageError("cannot allocate a zstd decoder");
    }
  }
  ~LayerBytes() { ZSTD_freeDStream(zstd_); }
  LayerBytes(const LayerBytes&) = delete;
  LayerBytes& operator=(const LayerBytes&) = delete;

  // The next piece; empty at the end.
  std::string_view next() {
    switch (codec_) {
      case Codec::None:
        if (in_pos_ == in_len_ && !fill()) return {};
        in_pos_ = in_len_;
        return {reinterpret_cast<const char*>(in_.data()), in_len_};
      case Codec::Gzip: return next_gzip();
      case Codec::Zstd: return next_zstd();
    }
    return {};
  }

 private:
  static constexpr size_t kChunk = 256 << 10;
  enum class Codec { None, Gzip, Zstd };

  bool fill() {
    in_pos_ = in_len_ = 0;
    if (consumed_ >= blob_.size) return false;
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, blob_.size - consumed_));
    if (image_detail::pread_full(blob_.fd, in_.data(), want, blob_.offset + consumed_) != want) {
      throw ImageError("layer blob is truncated");
    }
    consumed_ += want;
    in_len_ = want;
    return true;
  }

  std::string_view next_gzip() {
    while (true) {
      if (gzip_.block_state == ISAL_BLOCK_FINISH && !out_full_) {
        // Another member follows (concatenated gzip), or zero padding / the end.
        if (in_pos_ == in_len_ && !fill()) return {};
        if (in_[in_pos_] != 0x1f) return {};
        isal_inflate_reset(&gzip_);
        gzip_.crc_flag = ISAL_GZIP;
      }
      if (in_pos_ == in_len_ && !out_full_ && !fill()) throw ImageError("truncated gzip layer");
      gzip_.next_in = in_.data() + in_pos_;
      gzip_.avail_in = static_cast<uint32_t>(in_len_ - in_pos_);
      gzip_.next_out = out_.data();
      gzip_.avail_out = static_cast<uint32_t>(out_.size());
      if (isal_inflate(&gzip_) < 0) throw ImageError("corrupt gzip layer");
      in_pos_ = in_len_ - gzip_.avail_in;
      out_full_ = gzip_.avail_out == 0;
      size_t produced = out_.size() - gzip_.avail_out;
      if (produced) return {reinterpret_cast<const char*>(out_.data()), produced};
    }
  }

  std::string_view next_zstd() {
    while (true) {
      if (in_pos_ == in_len_ && !out_full_ && !fill()) return {};
      ZSTD_inBuffer input{in_.data(), in_len_, in_pos_};
      ZSTD_outBuffer output{out_.data(), out_.size(), 0};
      size_t rc = ZSTD_decompressStream(zstd_, &output, &input);
      if (ZSTD_isError(rc)) throw ImageError(std::string("corrupt zstd layer (") + ZSTD_getErrorName(rc) + ")");
      in_pos_ = input.pos;
      out_full_ = output.pos == output.size;
      if (output.pos) return {reinterpret_cast<const char*>(out_.data()), output.pos};
    }
  }

  BlobRef blob_;
  std::vector<uint8_t> in_, out_;
  size_t in_pos_ = 0, in_len_ = 0;
  uint64_t consumed_ = 0;
  Codec codec_ = Codec::None;
  inflate_state gzip_{};
  ZSTD_DStream* zstd_ = nullptr;
  bool out_full_ = false;
};

struct Feed {
  LayerBytes* stream;
  std::exception_ptr error;
};

la_ssize_t feed_read(struct archive*, void* client, const void** buffer) {
  auto* feed = static_cast<Feed*>(client);
  try {
    std::string_view piece = feed->stream->next();
    *buffer = piece.data();
    return static_cast<la_ssize_t>(piece.size());
  } catch (...) {
    feed->error = std::current_exception();
    return -1;
  }
}

}  // namespace

ImageBlobs::ImageBlobs(const LoadedImage& image) {
  if (image.file == "-") throw ImageError("rewrite reads its input twice: give a file or an OCI layout, not stdin");
  switch (image.kind) {
    case ImageInputKind::ConfigJson:
    case ImageInputKind::Inspect:
      throw ImageError("rewrite needs the image's layers: give an image archive or an OCI layout, not " +
                       std::string(to_string(image.kind)));
    case ImageInputKind::Registry:
      throw ImageError("rewrite reads a local image: copy the registry image first (skopeo copy docker://… oci-archive:…)");
    case ImageInputKind::OciLayout:
      for (const LayerInfo& layer : image.layers) {
        Fd fd = image_detail::open_readonly(layer.blob_path);
        uint64_t size = image_detail::file_size(fd.get());
        if (size != layer.size) throw ImageError(layer.blob_path + " changed since it was read");
        layers_.push_back({fd.get(), 0, size});
        layer_files_.push_back(std::move(fd));
      }
      return;
    case ImageInputKind::DockerArchive:
    case ImageInputKind::OciArchive: break;
  }
  archive_ = plain_archive(image_detail::open_readonly(image.file));
  tar_ = std::make_unique<image_detail::OuterTar>(archive_.get(), image_detail::file_size(archive_.get()));
  for (const LayerInfo& layer : image.layers) {
    const image_detail::TarMember* member = tar_->find(layer.blob_path);
    if (!member || member->size != layer.size) throw ImageError(layer.blob_path + " changed since it was read");
    layers_.push_back({archive_.get(), member->offset, member->size});
  }
}

ImageBlobs::~ImageBlobs() = default;

SourceSpool::SourceSpool() : spool_(image_detail::make_temp_file()) {}

const SpooledFile& SourceSpool::find(uint32_t layer, const std::string& path) const {
  auto it = files_.find({layer, path});
  if (it == files_.end() || !it->second.found) {
    throw ImageError("cannot copy up " + path + ": layer " + std::to_string(layer + 1) + " does not hold it as a file");
  }
  return it->second;
}

void SourceSpool::read(const ImageBlobs& blobs, const std::map<uint32_t, std::set<std::string>>& wanted) {
  std::vector<char> zeros;
  for (const auto& [layer, paths] : wanted) {
    for (const auto& path : paths) files_[{layer, path}];
    LayerBytes stream(blobs.layer(layer));
    Feed feed{&stream, nullptr};
    std::unique_ptr<struct archive, int (*)(struct archive*)> reader(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(reader.get());
    if (archive_read_open(reader.get(), &feed, nullptr, feed_read, nullptr) != ARCHIVE_OK) {
      if (feed.error) std::rethrow_exception(feed.error);
      throw ImageError("layer " + std::to_string(layer + 1) + ": " + archive_error_string(reader.get()));
    }
    const uint32_t layer_number = layer + 1;  // clang 14 cannot capture a structured binding
    auto fail = [&]() {
      if (feed.error) std::rethrow_exception(feed.error);
      const char* message = archive_error_string(reader.get());
      throw ImageError("layer " + std::to_string(layer_number) + ": " + (message ? message : "unreadable tar"));
    };
    archive_entry* entry = nullptr;
    // To the end: a later entry of the same path in this tar replaces an earlier one.
    while (true) {
      int rc = archive_read_next_header(reader.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) fail();
      const char* raw = archive_entry_pathname(entry);
      auto path = normalize_image_path(raw ? raw : "");
      if (!path || !paths.count(*path)) continue;
      SpooledFile& file = files_[{layer, *path}];
      file = SpooledFile{};
      file.found = true;
      file.mtime = archive_entry_mtime(entry);
      archive_entry_xattr_reset(entry);
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        file.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
      }
      std::sort(file.xattrs.begin(), file.xattrs.end());
      if (archive_entry_hardlink(entry)) {
        // The view's file is a hardlink in this tar (its first path was removed above it): its
        // bytes are not here under this name, and copying up nothing would lose them.
        file.found = false;
        continue;
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      file.offset = end_;
      // Sparse files arrive as blocks at offsets; holes are written as zeros.
      uint64_t written = 0;
      while (true) {
        const void* block = nullptr;
        size_t block_size = 0;
        la_int64_t at = 0;
        rc = archive_read_data_block(reader.get(), &block, &block_size, &at);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) fail();
        uint64_t offset = static_cast<uint64_t>(std::max<la_int64_t>(at, 0));
        while (written < offset) {
          zeros.assign(static_cast<size_t>(std::min<uint64_t>(offset - written, 1 << 16)), '\0');
          write_all(spool_.get(), zeros.data(), zeros.size(), "the copy-up spool");
          written += zeros.size();
        }
        write_all(spool_.get(), block, block_size, "the copy-up spool");
        written += block_size;
      }
      uint64_t declared = static_cast<uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
      while (written < declared) {
        zeros.assign(static_cast<size_t>(std::min<uint64_t>(declared - written, 1 << 16)), '\0');
        write_all(spool_.get(), zeros.data(), zeros.size(), "the copy-up spool");
        written += zeros.size();
      }
      file.size = written;
      end_ += written;
    }
    if (feed.error) std::rethrow_exception(feed.error);
  }
}

}  // namespace okd
