#include "rewrite/image_mutate.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdint>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <vector>

namespace okd {

using nlohmann::json;

namespace {

void write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot write the new layer: ") + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Uncompressed tar bytes in; hashed (diff_id), gzip-compressed with ISA-L, hashed again (digest)
// and written to the blob file. ISA-L's generic gzip header has no name and a zero timestamp.
class GzipBlobWriter {
 public:
  explicit GzipBlobWriter(int fd) : fd_(fd), level_buffer_(new uint8_t[ISAL_DEF_LVL1_DEFAULT]), out_(1 << 18) {
    isal_deflate_init(&stream_);
    stream_.gzip_flag = IGZIP_GZIP;
    stream_.level = 1;
    stream_.level_buf = level_buffer_.get();
    stream_.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    stream_.flush = NO_FLUSH;
  }

  void write(const void* data, size_t size) {
    raw_sha_.update(data, size);
    raw_size_ += size;
    stream_.next_in = static_cast<uint8_t*>(const_cast<void*>(data));
    stream_.avail_in = static_cast<uint32_t>(size);
    do {
      deflate_step();
    } while (stream_.avail_in > 0 || stream_.avail_out == 0);
  }

  void finish(BuiltLayer& layer) {
    stream_.end_of_stream = 1;
    stream_.next_in = nullptr;
    stream_.avail_in = 0;
    do {
      deflate_step();
    } while (stream_.internal_state.state != ZSTATE_END);
    layer.diff_id = raw_sha_.digest();
    layer.digest = blob_sha_.digest();
    layer.size = blob_size_;
    layer.uncompressed_size = raw_size_;
  }

 private:
  void deflate_step() {
    stream_.next_out = out_.data();
    stream_.avail_out = static_cast<uint32_t>(out_.size());
    if (isal_deflate(&stream_) != COMP_OK) throw std::runtime_error("gzip compression of the new layer failed");
    size_t produced = out_.size() - stream_.avail_out;
    blob_sha_.update(out_.data(), produced);
    blob_size_ += produced;
    write_all(fd_, out_.data(), produced);
  }

  int fd_;
  isal_zstream stream_{};
  std::unique_ptr<uint8_t[]> level_buffer_;
  std::vector<uint8_t> out_;
  image_detail::Sha256 raw_sha_, blob_sha_;
  uint64_t raw_size_ = 0, blob_size_ = 0;
};

struct WriteClient {
  GzipBlobWriter* gzip;
  std::exception_ptr error;
};

la_ssize_t write_callback(struct archive*, void* client, const void* buffer, size_t length) {
  auto* c = static_cast<WriteClient*>(client);
  try {
    c->gzip->write(buffer, length);
    return static_cast<la_ssize_t>(length);
  } catch (...) {
    c->error = std::current_exception();
    return -1;
  }
}

std::string relative(const std::string& abs_path) { return abs_path.substr(1); }

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// "2024-01-02T03:04:05.123456789Z" / "…+02:00" → seconds since the epoch.
std::optional<int64_t> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  if (text.size() < 19 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t seconds = static_cast<int64_t>(timegm(&tm));
  size_t zone = 19;
  while (zone < text.size() && (text[zone] == '.' || (text[zone] >= '0' && text[zone] <= '9'))) ++zone;
  if (zone < text.size() && (text[zone] == '+' || text[zone] == '-')) {
    int hours = 0, minutes = 0;
    if (std::sscanf(text.c_str() + zone + 1, "%2d:%2d", &hours, &minutes) == 2) {
      int64_t offset = hours * 3600 + minutes * 60;
      seconds += text[zone] == '+' ? -offset : offset;
    }
  }
  return seconds < 0 ? 0 : seconds;
}

std::string format_rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace

std::map<uint32_t, std::set<std::string>> planned_sources(const ImagePlan& plan) {
  std::map<uint32_t, std::set<std::string>> wanted;
  for (const PlannedEntry& e : plan.entries) {
    if (e.read_source && !e.created && e.type != FileType::Hardlink) wanted[e.source_layer].insert(e.source_path);
  }
  return wanted;
}

int64_t rewrite_timestamp(const LoadedImage& image) {
  if (const json* created = member(image.config.raw, "created"); created && created->is_string()) {
    if (auto seconds = parse_rfc3339(created->get<std::string>())) return *seconds;
  }
  return 0;
}

BuiltLayer build_fix_layer(const ImagePlan& plan, const SourceSpool& sources, int64_t timestamp) {
  BuiltLayer layer;
  layer.file = image_detail::make_temp_file();
  GzipBlobWriter gzip(layer.file.get());
  WriteClient client{&gzip, nullptr};
  std::unique_ptr<struct archive, int (*)(struct archive*)> writer(archive_write_new(), archive_write_free);
  struct archive* a = writer.get();
  auto check = [&](int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return;
    if (client.error) std::rethrow_exception(client.error);
    const char* message = archive_error_string(a);
    throw std::runtime_error("writing the new layer (" + what + "): " + (message ? message : "libarchive error"));
  };
  check(archive_write_set_format_pax_restricted(a), "format");
  check(archive_write_add_filter_none(a), "filter");
  // No padding to the 10 KiB record: the tar ends with its two zero blocks, as Go's tar writes it.
  check(archive_write_set_bytes_in_last_block(a, 1), "block size");
  check(archive_write_open2(a, &client, nullptr, write_callback, nullptr, nullptr), "open");

  std::vector<char> buffer(ImageBlobs::kCopyChunk);
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
  for (const PlannedEntry& e : plan.entries) {
    archive_entry* ae = entry.get();
    archive_entry_clear(ae);
    archive_entry_set_pathname(ae, relative(e.path).c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_perm(ae, e.mode & 07777u);
    const SpooledFile* source = nullptr;
    if (e.read_source && !e.created) {
      source = &sources.find(e.source_layer, e.source_path);
    }
    int64_t mtime = timestamp;
    if (e.type != FileType::Directory && source) mtime = source->mtime;
    archive_entry_set_mtime(ae, mtime, 0);
    if (source) {
      for (const auto& [name, value] : source->xattrs) {
        if (e.drop_capability && name == "security.capability") continue;
        archive_entry_xattr_add_entry(ae, name.c_str(), value.data(), value.size());
      }
    }
    switch (e.type) {
      case FileType::Directory:
        archive_entry_set_filetype(ae, AE_IFDIR);
        check(archive_write_header(a, ae), e.path);
        break;
      case FileType::Hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, relative(e.link_target).c_str());
        archive_entry_set_size(ae, 0);
        check(archive_write_header(a, ae), e.path);
        break;
      default: {
        archive_entry_set_filetype(ae, AE_IFREG);
        if (e.content) {
          archive_entry_set_size(ae, static_cast<la_int64_t>(e.content->size()));
          check(archive_write_header(a, ae), e.path);
          if (!e.content->empty()) {
            la_ssize_t n = archive_write_data(a, e.content->data(), e.content->size());
            if (n < 0) check(ARCHIVE_FATAL, e.path);
          }
          break;
        }
        uint64_t size = source ? source->size : 0;
        archive_entry_set_size(ae, static_cast<la_int64_t>(size));
        check(archive_write_header(a, ae), e.path);
        uint64_t done = 0;
        while (done < size) {
          size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - done));
          if (image_detail::pread_full(sources.fd(), buffer.data(), want, source->offset + done) != want) {
            throw std::runtime_error("the copy-up spool is truncated");
          }
          la_ssize_t n = archive_write_data(a, buffer.data(), want);
          if (n < 0) check(ARCHIVE_FATAL, e.path);
          done += want;
        }
        break;
      }
    }
  }
  check(archive_write_close(a), "close");
  if (client.error) std::rethrow_exception(client.error);
  gzip.finish(layer);
  return layer;
}

std::string plan_summary(const ImagePlan& plan) {
  std::string summary = "okdlint rewrite: User " + plan.user_after;
  for (const auto& [before, after] : plan.port_changes) summary += ", port " + before + "->" + after;
  // Only what the layer really changes: an entry copied up for its content or its bits is not
  // counted as a permission change unless its group or mode moved.
  size_t dirs = 0, files = 0, links = 0, created_dirs = 0, created_files = 0, patched = 0, dropped = 0;
  for (const PlannedEntry& e : plan.entries) {
    if (e.created) {
      ++(e.type == FileType::Directory ? created_dirs : created_files);
      continue;
    }
    bool permissions = e.gid != e.old_gid || (e.mode & ~06000u) != (e.old_mode & ~06000u);
    if (e.type == FileType::Hardlink) {
      if (permissions) ++links;
      continue;
    }
    if (permissions) ++(e.type == FileType::Directory ? dirs : files);
    if (e.type == FileType::Regular && e.content) ++patched;
    if (e.type == FileType::Regular && (e.drop_capability || (e.old_mode & 06000u) != (e.mode & 06000u))) ++dropped;
  }
  if (dirs || files || links) {
    summary += ", group 0 access on " + std::to_string(dirs) + " directories and " + std::to_string(files) + " files";
    if (links) summary += " (and " + std::to_string(links) + " hardlinks)";
  }
  if (created_dirs || created_files) {
    summary += ", created " + std::to_string(created_dirs) + " directories and " + std::to_string(created_files) +
               " files";
  }
  if (patched) summary += ", " + std::to_string(patched) + " server configs with listen ports remapped";
  if (dropped) summary += ", setuid/setgid/capabilities dropped on " + std::to_string(dropped) + " files";
  return summary;
}

std::string patch_config(const LoadedImage& image, const ImagePlan& plan, const BuiltLayer* layer) {
  json config = image.config.raw;
  if (!config.is_object()) throw ImageError("the image config is not a JSON object");
  json& container = config["config"];
  if (!container.is_object()) container = json::object();
  container["User"] = plan.user_after;
  if (!plan.exposed_ports.empty() || container.contains("ExposedPorts")) {
    json ports = json::object();
    for (const auto& port : plan.exposed_ports) ports[port] = json::object();
    container["ExposedPorts"] = std::move(ports);
  }
  // The entry comes after every earlier one (and the image's own date): one second past the latest.
  int64_t latest = -1;
  if (const json* created = member(config, "created"); created && created->is_string()) {
    if (auto seconds = parse_rfc3339(created->get<std::string>())) latest = *seconds;
  }
  if (const json* history = member(config, "history"); history && history->is_array()) {
    for (const json& h : *history) {
      const json* created = member(h, "created");
      if (!created || !created->is_string()) continue;
      if (auto seconds = parse_rfc3339(created->get<std::string>())) latest = std::max(latest, *seconds);
    }
  }
  json history_entry = json::object();
  if (latest >= 0) {
    std::string stamp = format_rfc3339(latest + 1);
    history_entry["created"] = stamp;
    config["created"] = stamp;
  }
  history_entry["created_by"] = "okdlint rewrite";
  history_entry["comment"] = plan_summary(plan);
  if (!layer) history_entry["empty_layer"] = true;
  json& history = config["history"];
  if (!history.is_array()) history = json::array();
  history.push_back(std::move(history_entry));
  if (layer) {
    json& rootfs = config["rootfs"];
    if (!rootfs.is_object()) rootfs = json::object();
    if (!rootfs.contains("type")) rootfs["type"] = "layers";
    json& diff_ids = rootfs["diff_ids"];
    if (!diff_ids.is_array()) diff_ids = json::array();
    diff_ids.push_back(layer->diff_id);
  }
  return config.dump();
}

}  // namespace okd
