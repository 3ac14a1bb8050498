// Internals shared by the image reader's translation units: file descriptors, hashing, bounded
// JSON, digests, spooling to unlinked temporary files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

struct evp_md_ctx_st;

namespace okd::image_detail {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Fd open_readonly(const std::string& path);  // throws ImageError naming the path
uint64_t file_size(int fd);
// Reads exactly size bytes at offset (fewer only at end of file: the count is returned).
size_t pread_full(int fd, void* buffer, size_t size, uint64_t offset);
// An unlinked temporary file in $TMPDIR (or /tmp), open for reading and writing.
Fd make_temp_file();

// SHA-256 through OpenSSL EVP (uses SHA-NI where the CPU has it).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  std::string hex();  // finishes the hash; call once
  std::string digest() { return "sha256:" + hex(); }

 private:
  evp_md_ctx_st* ctx_;
};
std::string sha256_digest(std::string_view bytes);  // "sha256:<hex>"

// "sha256:<64 lowercase hex>" → the hex part; anything else (other algorithms, wrong length,
// path characters) is refused with ImageError mentioning what.
std::string digest_hex(std::string_view digest, std::string_view what);

// Parses JSON after checking its size and nesting depth (a pre-scan, so hostile nesting never
// reaches the recursive parser). Errors name `what`.
nlohmann::json parse_json_bounded(std::string_view text, size_t max_bytes, size_t max_depth, std::string_view what);

// Whether bytes look like the start of a tar header (ustar magic or a valid header checksum).
bool looks_like_tar_header(const unsigned char* block, size_t size);

}  // namespace okd::image_detail
