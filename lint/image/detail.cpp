#include "lint/image/detail.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/image/image.h"

namespace okd::image_detail {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd open_readonly(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ImageError("cannot open " + path + ": " + std::strerror(errno));
  return Fd(fd);
}

uint64_t file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw ImageError(std::string("cannot stat input: ") + std::strerror(errno));
  return static_cast<uint64_t>(st.st_size);
}

size_t pread_full(int fd, void* buffer, size_t size, uint64_t offset) {
  size_t done = 0;
  auto* out = static_cast<char*>(buffer);
  while (done < size) {
    ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ImageError(std::string("read error: ") + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Fd make_temp_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/okdlint-image-XXXXXX";
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) throw ImageError("cannot create a temporary file in " + pattern + ": " + std::strerror(errno));
  ::unlink(pattern.c_str());  // gone when closed, whatever happens
  return Fd(fd);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw ImageError("OpenSSL SHA-256 is unavailable");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(const void* data, size_t size) {
  if (size) EVP_DigestUpdate(ctx_, data, size);
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_, md, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string sha256_digest(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.digest();
}

std::string digest_hex(std::string_view digest, std::string_view what) {
  constexpr std::string_view kPrefix = "sha256:";
  auto shown = std::string(digest.substr(0, 80));
  if (digest.substr(0, kPrefix.size()) != kPrefix) {
    throw ImageError("invalid digest for " + std::string(what) + ": '" + shown + "' (only sha256 is supported)");
  }
  std::string_view hex = digest.substr(kPrefix.size());
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) throw ImageError("invalid digest for " + std::string(what) + ": '" + shown + "'");
  return std::string(hex);
}

nlohmann::json parse_json_bounded(std::string_view text, size_t max_bytes, size_t max_depth, std::string_view what) {
  if (text.size() > max_bytes) {
    throw ImageError(std::string(what) + " is too large (" + std::to_string(text.size()) + " bytes, limit " +
                     std::to_string(max_bytes) + ")");
  }
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        throw ImageError(std::string(what) + " nests deeper than " + std::to_string(max_depth) + " levels");
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string reason = e.what();
    if (auto pos = reason.find("parse error"); pos != std::string::npos) reason = reason.substr(pos);
    throw ImageError("invalid JSON in " + std::string(what) + ": " + reason);
  }
}

bool looks_like_tar_header(const unsigned char* block, size_t size) {
  if (size < 512) return false;
  if (std::memcmp(block + 257, "ustar", 5) == 0) return true;
  // Old (v7) tar: a valid checksum over the header with the checksum field read as spaces.
  unsigned long stored = 0;
  bool digits = false;
  for (int i = 148; i < 156; ++i) {
    unsigned char c = block[i];
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + (c - '0');
      digits = true;
    } else if (c == ' ' || c == 0) {
      if (digits) break;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  unsigned long sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : block[i];
  return sum == stored && block[0] != 0;
}

}  // namespace okd::image_detail
