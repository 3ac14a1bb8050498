#include "lint/image/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdint>
#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "lint/image/detail.h"
#include "lint/image/image.h"

namespace okd::image_detail {

namespace {
constexpr size_t kInputChunk = 256 << 10;
constexpr size_t kOutputChunk = 512 << 10;
constexpr int kRing = 4;                         // buffers per side while the hasher catches up
constexpr uint64_t kPipelineFrom = 4ull << 20;  // smaller blobs are hashed inline

// SHA-256 costs about half as much CPU as inflating (SHA extensions) and the blob and the tar are
// both hashed, so for big blobs each side is hashed on its own thread, overlapped with
// decompression and with each other: on two cores the decoder is then the critical path. Chunks
// are hashed in the order they are posted; a buffer is reused only once its ticket is done.
class HashPipeline {
 public:
  // A threaded pipeline starts its thread at the first chunk (a stored layer never decodes).
  HashPipeline(Sha256& sha, bool threaded) : sha_(sha), threaded_(threaded) {}
  ~HashPipeline() {
    {
      std::lock_guard lock(mutex_);
      abandon_ = true;  // nobody will read the digest: skip what is queued
    }
    finish();
  }
  HashPipeline(const HashPipeline&) = delete;
  HashPipeline& operator=(const HashPipeline&) = delete;

  // Hashes (or queues) a chunk; the returned ticket is 0 when it was hashed inline.
  uint64_t post(const uint8_t* data, size_t size) {
    if (!threaded_) {
      sha_.update(data, size);
      return 0;
    }
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    std::lock_guard lock(mutex_);
    queue_.push_back({data, size});
    work_.notify_one();
    return ++posted_;
  }
  void wait_done(uint64_t ticket) {
    if (ticket == 0) return;
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return done_ >= ticket; });
  }
  // Waits for everything posted and ends the thread; the digest is then complete.
  void finish() {
    threaded_ = false;  // anything posted later is hashed inline
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      work_.notify_one();
    }
    thread_.join();
  }

 private:
  struct Task {
    const uint8_t* data;
    size_t size;
  };
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      Task task = queue_.front();
      queue_.pop_front();
      bool skip = abandon_;
      lock.unlock();
      if (!skip) sha_.update(task.data, task.size);
      lock.lock();
      ++done_;
      done_cv_.notify_all();
    }
  }

  Sha256& sha_;
  bool threaded_;  // only the posting thread reads or writes it
  std::mutex mutex_;
  std::condition_variable work_, done_cv_;
  std::deque<Task> queue_;
  uint64_t posted_ = 0, done_ = 0;
  bool stop_ = false, abandon_ = false;
  std::thread thread_;
};

// A ring of lazily allocated buffers, each tagged with the hash ticket that still reads it.
struct BufferRing {
  explicit BufferRing(size_t size) : size(size) {}
  uint8_t* acquire(HashPipeline& hasher) {
    index = (index + 1) % kRing;
    hasher.wait_done(tickets[index]);
    tickets[index] = 0;
    if (!buffers[index]) buffers[index].reset(new uint8_t[size]);
    return buffers[index].get();
  }
  void posted(uint64_t ticket) { tickets[index] = ticket; }
  size_t size;
  std::unique_ptr<uint8_t[]> buffers[kRing];
  uint64_t tickets[kRing] = {};
  int index = 0;
};

}  // namespace

struct DecodedStream::State {
  State(bool threaded_blob, bool threaded_data)
      : blob_hasher(blob_sha, threaded_blob), data_hasher(data_sha, threaded_data) {}
  BufferRing in_ring{kInputChunk};
  BufferRing out_ring{kOutputChunk};
  uint8_t* in = nullptr;   // the current input chunk (from in_ring)
  uint8_t* out = nullptr;  // the current output chunk (from out_ring)
  size_t in_pos = 0, in_len = 0;
  bool input_eof = false;
  Sha256 blob_sha;
  Sha256 data_sha;
  std::unique_ptr<inflate_state> isal;
  ZSTD_DStream* zstd = nullptr;
  size_t zstd_pending = 0;  // last ZSTD_decompressStream result: 0 at a frame boundary
  bool zstd_any_frame = false;
  bool out_full = false;  // the decoder filled the output last time and may hold more
  std::string blob_digest, data_digest;
  std::unique_ptr<BlobStream> remote;  // a registry download, read in order
  // Last: destroyed (joined) before the buffers and hashes they use.
  HashPipeline blob_hasher;  // the blob's bytes, in in_ring's buffers
  HashPipeline data_hasher;  // the decoded bytes, in out_ring's buffers
  ~State() { ZSTD_freeDStream(zstd); }
};

DecodedStream::DecodedStream(BlobRef blob, DecodeLimits limits, std::atomic<uint64_t>* bytes_read,
                             const std::atomic<bool>* cancel)
    : blob_(blob), limits_(limits), bytes_read_(bytes_read), cancel_(cancel),
      state_(std::make_unique<State>(blob.size >= kPipelineFrom, blob.size >= kPipelineFrom)) {
  if (blob_.remote) state_->remote = blob_.remote->open_blob(blob_.digest, blob_.size);
  fill_input();
  const uint8_t* in = state_->in;
  size_t n = state_->in_len;
  if (n >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
    codec_ = Codec::Gzip;
    state_->isal = std::make_unique<inflate_state>();
    isal_inflate_init(state_->isal.get());
    state_->isal->crc_flag = ISAL_GZIP;
  } else if (n >= 4 && in[0] == 0x28 && in[1] == 0xb5 && in[2] == 0x2f && in[3] == 0xfd) {
    codec_ = Codec::Zstd;
    state_->zstd = ZSTD_createDStream();
    if (!state_->zstd) throw ImageError("cannot allocate a zstd decoder");
    ZSTD_initDStream(state_->zstd);
  }
}

DecodedStream::~DecodedStream() = default;

std::string_view DecodedStream::compression() const {
  switch (codec_) {
    case Codec::Gzip: return "gzip";
    case Codec::Zstd: return "zstd";
    case Codec::None: break;
  }
  return "none";
}

bool DecodedStream::fill_input() {
  State& s = *state_;
  if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw ImageError("cancelled");
  s.in_pos = s.in_len = 0;
  if (consumed_ >= blob_.size) {
    s.input_eof = true;
    return false;
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(kInputChunk, blob_.size - consumed_));
  s.in = s.in_ring.acquire(s.blob_hasher);
  size_t got = 0;
  if (s.remote) {
    while (got < want) {
      size_t n = s.remote->read(s.in + got, want - got);
      if (n == 0) break;
      got += n;
    }
    if (got != want) throw ImageError("blob is truncated (the registry sent fewer bytes than the manifest says)");
    if (consumed_ + got == blob_.size) {
      uint8_t extra = 0;
      if (s.remote->read(&extra, 1) != 0) throw ImageError("blob is longer than the manifest says");
    }
  } else {
    got = pread_full(blob_.fd, s.in, want, blob_.offset + consumed_);
    if (got != want) throw ImageError("blob is truncated (the file ends before the recorded size)");
  }
  s.in_ring.posted(s.blob_hasher.post(s.in, got));
  consumed_ += got;
  s.in_len = got;
  if (bytes_read_) bytes_read_->fetch_add(got, std::memory_order_relaxed);
  return true;
}

std::string_view DecodedStream::emit(size_t produced) {
  produced_ += produced;
  if (produced_ > limits_.max_bytes) {
    throw ImageError("uncompressed size exceeds the limit of " + std::to_string(limits_.max_bytes) +
                     " bytes (max_layer_bytes)");
  }
  if (codec_ != Codec::None && produced_ > limits_.ratio_grace_bytes &&
      produced_ / std::max<uint64_t>(consumed_, 1) > limits_.max_ratio) {
    throw ImageError("decompression ratio exceeds " + std::to_string(limits_.max_ratio) +
                     ":1 (a decompression bomb?)");
  }
  const uint8_t* data = codec_ == Codec::None ? state_->in : state_->out;
  if (codec_ != Codec::None) state_->out_ring.posted(state_->data_hasher.post(data, produced));
  return {reinterpret_cast<const char*>(data), produced};
}

std::string_view DecodedStream::next() {
  if (finished_) return {};
  std::string_view piece;
  switch (codec_) {
    case Codec::Gzip: piece = next_gzip(); break;
    case Codec::Zstd: piece = next_zstd(); break;
    case Codec::None:
      if (state_->in_pos < state_->in_len || fill_input()) {
        size_t n = state_->in_len - state_->in_pos;
        state_->in_pos = state_->in_len;
        piece = emit(n);
      }
      break;
  }
  if (piece.empty()) finished_ = true;
  return piece;
}

std::string_view DecodedStream::next_gzip() {
  State& s = *state_;
  inflate_state& st = *s.isal;
  while (true) {
    if (st.block_state == ISAL_BLOCK_FINISH && !s.out_full) {
      finish_trailing_bytes();
      if (s.in_pos == s.in_len && s.input_eof) return {};
      // Another gzip member follows (concatenated gzip is one stream).
      isal_inflate_reset(&st);
      st.crc_flag = ISAL_GZIP;
    }
    if (s.in_pos == s.in_len && !s.out_full && !s.input_eof) fill_input();
    st.next_in = s.in + s.in_pos;
    st.avail_in = static_cast<uint32_t>(s.in_len - s.in_pos);
    s.out = s.out_ring.acquire(s.data_hasher);
    st.next_out = s.out;
    st.avail_out = kOutputChunk;
    int rc = isal_inflate(&st);
    s.in_pos = s.in_len - st.avail_in;
    if (rc < 0) {
      const char* reason = rc == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch"
                           : rc == ISAL_INVALID_WRAPPER  ? "bad gzip header"
                                                         : "corrupt deflate data";
      throw ImageError(std::string("corrupt gzip stream (") + reason + ")");
    }
    size_t produced = kOutputChunk - st.avail_out;
    s.out_full = st.avail_out == 0;
    if (produced) return emit(produced);
    if (st.block_state != ISAL_BLOCK_FINISH && s.in_pos == s.in_len && s.input_eof) {
      throw ImageError("truncated gzip stream");
    }
  }
}

// After a gzip member: nothing, another member (magic), or zero padding some tools append.
void DecodedStream::finish_trailing_bytes() {
  State& s = *state_;
  if (s.in_pos == s.in_len && !s.input_eof) fill_input();
  if (s.in_pos == s.in_len) return;
  if (s.in[s.in_pos] == 0x1f) return;
  while (true) {
    for (; s.in_pos < s.in_len; ++s.in_pos) {
      if (s.in[s.in_pos] != 0) throw ImageError("unexpected data after the end of the gzip stream");
    }
    if (!fill_input()) return;
  }
}

std::string_view DecodedStream::next_zstd() {
  State& s = *state_;
  while (true) {
    if (s.in_pos == s.in_len && !s.out_full) {
      if (!fill_input()) {
        if (s.zstd_pending != 0 || !s.zstd_any_frame) throw ImageError("truncated zstd stream");
        return {};
      }
    }
    s.out = s.out_ring.acquire(s.data_hasher);
    ZSTD_inBuffer input{s.in, s.in_len, s.in_pos};
    ZSTD_outBuffer output{s.out, kOutputChunk, 0};
    size_t rc = ZSTD_decompressStream(s.zstd, &output, &input);
    if (ZSTD_isError(rc)) throw ImageError(std::string("corrupt zstd stream (") + ZSTD_getErrorName(rc) + ")");
    s.in_pos = input.pos;
    s.zstd_pending = rc;
    s.zstd_any_frame = true;
    s.out_full = output.pos == output.size;
    if (output.pos) return emit(output.pos);
  }
}

std::string DecodedStream::blob_digest() {
  state_->blob_hasher.finish();
  if (state_->blob_digest.empty()) state_->blob_digest = state_->blob_sha.digest();
  return state_->blob_digest;
}

std::string DecodedStream::uncompressed_digest() {
  if (codec_ == Codec::None) return blob_digest();
  state_->data_hasher.finish();
  if (state_->data_digest.empty()) state_->data_digest = state_->data_sha.digest();
  return state_->data_digest;
}

namespace {

// libarchive pulls bytes through this; exceptions must not cross its C frames, so they are
// parked here and rethrown once libarchive gives up.
struct ArchiveFeed {
  DecodedStream* stream;
  std::exception_ptr error;
};

la_ssize_t feed_read(struct archive*, void* client, const void** buffer) {
  auto* feed = static_cast<ArchiveFeed*>(client);
  try {
    std::string_view piece = feed->stream->next();
    *buffer = piece.data();
    return static_cast<la_ssize_t>(piece.size());
  } catch (...) {
    feed->error = std::current_exception();
    return -1;
  }
}

struct ArchiveCloser {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

FileType file_type_of(archive_entry* entry) {
  if (archive_entry_hardlink(entry)) return FileType::Hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return FileType::Regular;
    case AE_IFDIR: return FileType::Directory;
    case AE_IFLNK: return FileType::Symlink;
    case AE_IFCHR: return FileType::CharDevice;
    case AE_IFBLK: return FileType::BlockDevice;
    case AE_IFIFO: return FileType::Fifo;
    default: return FileType::Other;
  }
}

std::string entry_name(archive_entry* entry) {
  const char* name = archive_entry_pathname_utf8(entry);
  if (!name) name = archive_entry_pathname(entry);
  if (!name) throw ImageError("layer tar has an entry without a readable name");
  return name;
}

std::string checked_path(std::string_view raw, std::string_view what) {
  auto normalized = normalize_image_path(raw);
  if (!normalized) {
    throw ImageError("layer " + std::string(what) + " with '..' component: '" + std::string(raw.substr(0, 200)) + "'");
  }
  return *normalized;
}

uint32_t id_of(int64_t value, std::string_view what, const std::string& path) {
  if (value < 0 || value > 0xffffffffll) {
    throw ImageError("layer entry " + path + " has an out-of-range " + std::string(what));
  }
  return static_cast<uint32_t>(value);
}

void read_entries(struct archive* a, ArchiveFeed& feed, LayerChanges& changes) {
  auto fail = [&](std::string_view context) {
    if (feed.error) std::rethrow_exception(feed.error);
    const char* message = archive_error_string(a);
    std::string reason = message ? message : "unreadable tar";
    if (reason.find("Truncated") != std::string::npos || reason.find("truncated") != std::string::npos) {
      throw ImageError("truncated layer tar (" + reason + ")");
    }
    throw ImageError("corrupt layer tar " + std::string(context) + ": " + reason);
  };
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) fail("header");
    std::string path = checked_path(entry_name(entry), "entry name");

    // Whiteouts: ".wh.NAME" deletes NAME below; ".wh..wh..opq" makes the directory opaque.
    size_t slash = path.rfind('/');
    std::string_view base = std::string_view(path).substr(slash + 1);
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    if (base.substr(0, 4) == ".wh.") {
      if (base == ".wh..wh..opq") {
        changes.opaque_dirs.push_back(parent);
      } else if (base.substr(0, 8) != ".wh..wh.") {  // other ".wh..wh." names are aufs bookkeeping
        std::string_view victim = base.substr(4);
        if (victim.empty() || victim == "." || victim == "..") {
          throw ImageError("layer whiteout with an invalid name: '" + path + "'");
        }
        changes.whiteouts.push_back((parent == "/" ? "" : parent) + "/" + std::string(victim));
      }
      continue;
    }

    FileEntry file;
    file.type = file_type_of(entry);
    file.uid = id_of(archive_entry_uid(entry), "uid", path);
    file.gid = id_of(archive_entry_gid(entry), "gid", path);
    file.mode = static_cast<uint32_t>(archive_entry_perm(entry)) & 07777;
    file.size = archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0
                    ? static_cast<uint64_t>(archive_entry_size(entry))
                    : 0;
    if (file.type == FileType::Hardlink) {
      file.link_target = checked_path(archive_entry_hardlink(entry), "hardlink target");
    } else if (file.type == FileType::Symlink) {
      const char* target = archive_entry_symlink_utf8(entry);
      if (!target) target = archive_entry_symlink(entry);
      file.link_target = target ? target : "";
    }
    if (archive_entry_xattr_reset(entry) > 0) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        if (!name) continue;
        if (std::strcmp(name, "security.capability") == 0 && value) {
          file.capability.assign(static_cast<const char*>(value), size);
        }
        file.xattr_names.emplace_back(name);
      }
    }

    changes.contents.erase(path);  // a later entry of the same path replaces captured content
    if (file.type == FileType::Regular && file.size <= kMaxCapturedFileBytes && is_captured_path(path)) {
      std::string text(file.size, '\0');
      size_t done = 0;
      while (done < text.size()) {
        la_ssize_t n = archive_read_data(a, text.data() + done, text.size() - done);
        if (n < 0) fail("data");
        if (n == 0) throw ImageError("truncated layer tar (file data of " + path + ")");
        done += static_cast<size_t>(n);
      }
      changes.contents.emplace(path, std::move(text));
    }
    // Data of other entries is skipped by the next header read (no copy, only decompression).
    changes.entries.push_back({std::move(path), std::move(file)});
  }
}

}  // namespace

LayerScan scan_layer(BlobRef blob, const DecodeLimits& limits, std::atomic<uint64_t>* bytes_read,
                     const std::atomic<bool>* cancel) {
  DecodedStream stream(blob, limits, bytes_read, cancel);
  ArchiveFeed feed{&stream, nullptr};
  LayerScan scan;
  {
    std::unique_ptr<struct archive, ArchiveCloser> a(archive_read_new());
    if (!a) throw ImageError("cannot allocate a tar reader");
    archive_read_support_format_tar(a.get());
    archive_read_support_format_empty(a.get());
    if (archive_read_open(a.get(), &feed, nullptr, feed_read, nullptr) != ARCHIVE_OK) {
      if (feed.error) std::rethrow_exception(feed.error);
      const char* message = archive_error_string(a.get());
      throw ImageError(std::string("layer is not a tar archive (") + (message ? message : "unknown format") + ")");
    }
    read_entries(a.get(), feed, scan.changes);
  }
  // The digests cover every byte, including padding after the end-of-archive blocks.
  while (!stream.next().empty()) {
  }
  scan.blob_digest = stream.blob_digest();
  scan.diff_id = stream.uncompressed_digest();
  scan.uncompressed_size = stream.produced();
  scan.compression = std::string(stream.compression());
  return scan;
}

}  // namespace okd::image_detail
