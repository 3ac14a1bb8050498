// /etc/passwd and /etc/group parsing, and user-name lookups on a loaded image.
#include <charconv>
#include <cstdint>

#include "lint/image/image.h"

namespace okd {

namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t colon = line.find(':', start);
    if (colon == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, colon - start));
    start = colon + 1;
  }
}

std::optional<uint32_t> parse_id(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') fn(line);
    start = end + 1;
  }
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> entries;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 7 || fields[0].empty()) return;
    auto uid = parse_id(fields[2]);
    auto gid = parse_id(fields[3]);
    if (!uid || !gid) return;
    entries.push_back({std::string(fields[0]), *uid, *gid, std::string(fields[5]), std::string(fields[6])});
  });
  return entries;
}

std::map<std::string, uint32_t> parse_group(std::string_view text) {
  std::map<std::string, uint32_t> groups;
  for_each_line(text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 3 || fields[0].empty()) return;
    if (auto gid = parse_id(fields[2])) groups.emplace(std::string(fields[0]), *gid);
  });
  return groups;
}

std::optional<uint32_t> LoadedImage::uid_of(std::string_view user_name) const {
  std::string_view user = user_name.substr(0, user_name.find(':'));  // "user:group" → "user"
  if (auto numeric = parse_id(user)) return numeric;
  for (const auto& entry : passwd) {
    if (entry.name == user) return entry.uid;
  }
  return std::nullopt;
}

const PasswdEntry* LoadedImage::passwd_entry(uint32_t uid) const {
  for (const auto& entry : passwd) {
    if (entry.uid == uid) return &entry;
  }
  return nullptr;
}

std::string_view to_string(ImageInputKind kind) {
  switch (kind) {
    case ImageInputKind::ConfigJson: return "config-json";
    case ImageInputKind::Inspect: return "inspect";
    case ImageInputKind::DockerArchive: return "docker-archive";
    case ImageInputKind::OciArchive: return "oci-archive";
    case ImageInputKind::OciLayout: return "oci-layout";
    case ImageInputKind::Registry: return "registry";
  }
  return "unknown";
}

}  // namespace okd
