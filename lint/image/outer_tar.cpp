#include "lint/image/outer_tar.h"

#include <cstdint>
#include <cstring>

#include "lint/image/detail.h"
#include "lint/image/image.h"

namespace okd::image_detail {

namespace {

constexpr uint64_t kMaxExtendedHeaderBytes = 1 << 20;  // pax / GNU long-name data

// Numeric tar field: octal text, or GNU base-256 when the top bit of the first byte is set.
uint64_t parse_number(const unsigned char* field, size_t size, std::string_view what) {
  if (field[0] & 0x80) {
    if (field[0] & 0x40) throw ImageError("outer tar: negative " + std::string(what));
    uint64_t value = field[0] & 0x3f;
    for (size_t i = 1; i < size; ++i) {
      if (value >> 56) throw ImageError("outer tar: " + std::string(what) + " out of range");
      value = (value << 8) | field[i];
    }
    return value;
  }
  uint64_t value = 0;
  size_t i = 0;
  while (i < size && (field[i] == ' ' || field[i] == 0)) {
    if (field[i] == 0) return 0;
    ++i;
  }
  for (; i < size && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (value >> 60) throw ImageError("outer tar: " + std::string(what) + " out of range");
    value = value * 8 + (field[i] - '0');
  }
  for (; i < size; ++i) {
    if (field[i] != ' ' && field[i] != 0) throw ImageError("outer tar: corrupt " + std::string(what) + " field");
  }
  return value;
}

std::string field_string(const unsigned char* field, size_t size) {
  size_t n = 0;
  while (n < size && field[n]) ++n;
  return std::string(reinterpret_cast<const char*>(field), n);
}

bool header_checksum_ok(const unsigned char* h) {
  uint64_t stored = parse_number(h + 148, 8, "checksum");
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (int i = 0; i < 512; ++i) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
    unsigned_sum += c;
    signed_sum += static_cast<signed char>(c);
  }
  return stored == unsigned_sum || static_cast<int64_t>(stored) == signed_sum;
}

// pax records: "LEN key=value\n"...
void parse_pax(std::string_view data, std::map<std::string, std::string>& out) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t space = data.find(' ', pos);
    if (space == std::string_view::npos) throw ImageError("outer tar: corrupt pax header");
    uint64_t length = 0;
    for (size_t i = pos; i < space; ++i) {
      if (data[i] < '0' || data[i] > '9' || length > data.size()) throw ImageError("outer tar: corrupt pax header");
      length = length * 10 + (data[i] - '0');
    }
    if (length < space - pos + 2 || pos + length > data.size() || data[pos + length - 1] != '\n') {
      throw ImageError("outer tar: corrupt pax header");
    }
    std::string_view record = data.substr(space + 1, pos + length - 1 - (space + 1));
    size_t eq = record.find('=');
    if (eq == std::string_view::npos) throw ImageError("outer tar: corrupt pax header");
    out[std::string(record.substr(0, eq))] = std::string(record.substr(eq + 1));
    pos += length;
  }
}

// Relative archive path: "./a//b/" → "a/b"; refuses "..".
std::string normalize_member(std::string_view raw) {
  auto normalized = normalize_image_path(raw);
  if (!normalized) throw ImageError("outer tar: entry name with '..' component: '" + std::string(raw.substr(0, 200)) + "'");
  return normalized->substr(1);
}

}  // namespace

OuterTar::OuterTar(int fd, uint64_t file_size) : fd_(fd) {
  unsigned char header[512];
  uint64_t pos = 0;
  std::map<std::string, std::string> pax;
  std::string long_name, long_link;
  bool any_header = false;
  while (true) {
    if (pos == file_size) break;  // EOF without the end-of-archive blocks: accepted, as tar does
    if (pos + 512 > file_size) throw ImageError("outer tar is truncated (partial header)");
    pread_full(fd, header, 512, pos);
    bool zero = true;
    for (unsigned char c : header) zero = zero && c == 0;
    if (zero) break;  // end-of-archive marker
    if (!header_checksum_ok(header)) {
      throw ImageError(any_header ? "outer tar: corrupt header (bad checksum) at offset " + std::to_string(pos)
                                  : "not a tar archive (bad header checksum)");
    }
    any_header = true;
    char type = static_cast<char>(header[156]);
    uint64_t size = parse_number(header + 124, 12, "size");
    if (auto it = pax.find("size"); it != pax.end()) {
      size = 0;
      for (char c : it->second) {
        if (c < '0' || c > '9' || size > (1ull << 60)) throw ImageError("outer tar: corrupt pax size");
        size = size * 10 + (c - '0');
      }
    }
    uint64_t data = pos + 512;
    if (size > file_size || data + size > file_size) {
      throw ImageError("outer tar is truncated (entry data runs past the end of the file)");
    }
    uint64_t next = data + ((size + 511) / 512) * 512;
    if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
      if (size > kMaxExtendedHeaderBytes) throw ImageError("outer tar: extended header too large");
      std::string bytes(size, '\0');
      pread_full(fd, bytes.data(), size, data);
      if (type == 'x') {
        parse_pax(bytes, pax);
      } else if (type == 'L') {
        long_name = bytes.substr(0, bytes.find('\0'));
      } else if (type == 'K') {
        long_link = bytes.substr(0, bytes.find('\0'));
      }  // 'g' (global pax) carries nothing the index needs
      pos = next;
      continue;
    }
    std::string name = field_string(header, 100);
    std::string link = field_string(header + 157, 100);
    if (std::memcmp(header + 257, "ustar", 5) == 0) {
      std::string prefix = field_string(header + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    if (!long_name.empty()) name = long_name;
    if (!long_link.empty()) link = long_link;
    if (auto it = pax.find("path"); it != pax.end()) name = it->second;
    if (auto it = pax.find("linkpath"); it != pax.end()) link = it->second;
    pax.clear();
    long_name.clear();
    long_link.clear();

    TarMember member;
    member.name = normalize_member(name);
    member.type = type == 0 ? '0' : type;
    member.offset = data;
    member.size = (type == '1' || type == '2' || type == '5') ? 0 : size;
    member.link_target = link;
    if (!member.name.empty()) members_.insert_or_assign(member.name, std::move(member));
    pos = next;
  }
  if (!any_header) throw ImageError("not a tar archive (no entries)");
}

const TarMember* OuterTar::find(std::string_view name) const {
  std::string current = normalize_member(name);
  for (int hops = 0; hops < 16; ++hops) {
    auto it = members_.find(current);
    if (it == members_.end()) return nullptr;
    const TarMember& member = it->second;
    if (member.type == '0' || member.type == '7') return &member;
    if (member.type == '1') {
      current = normalize_member(member.link_target);
    } else if (member.type == '2') {
      std::string_view target = member.link_target;
      if (!target.empty() && target[0] == '/') {
        throw ImageError("outer tar: symlink " + member.name + " has an absolute target '" + std::string(target) + "'");
      }
      // Resolve "dir/../x" against the symlink's own directory, refusing anything above the root.
      size_t slash = member.name.rfind('/');
      std::string joined = slash == std::string::npos ? std::string(target)
                                                       : member.name.substr(0, slash) + "/" + std::string(target);
      std::vector<std::string> parts;
      size_t i = 0;
      while (i <= joined.size()) {
        size_t j = joined.find('/', i);
        if (j == std::string::npos) j = joined.size();
        std::string part = joined.substr(i, j - i);
        i = j + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
          if (parts.empty()) {
            throw ImageError("outer tar: symlink " + member.name + " -> " + std::string(target) + " escapes the archive");
          }
          parts.pop_back();
        } else {
          parts.push_back(part);
        }
      }
      current.clear();
      for (const auto& p : parts) current += (current.empty() ? "" : "/") + p;
    } else {
      return nullptr;  // a directory or device is not a blob
    }
  }
  throw ImageError("outer tar: too many links while resolving " + std::string(name));
}

std::string OuterTar::read(std::string_view name, uint64_t max_bytes, std::string_view what) const {
  const TarMember* member = find(name);
  if (!member) throw ImageError("archive has no " + std::string(what) + " (" + std::string(name) + ")");
  if (member->size > max_bytes) {
    throw ImageError(std::string(what) + " is too large (" + std::to_string(member->size) + " bytes, limit " +
                     std::to_string(max_bytes) + ")");
  }
  std::string bytes(member->size, '\0');
  if (pread_full(fd_, bytes.data(), bytes.size(), member->offset) != bytes.size()) {
    throw ImageError("outer tar is truncated while reading " + std::string(what));
  }
  return bytes;
}

}  // namespace okd::image_detail
