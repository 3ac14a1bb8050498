#include "lint/image/filesystem.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>

namespace okd {

std::string_view to_string(FileType type) {
  switch (type) {
    case FileType::Regular: return "file";
    case FileType::Directory: return "directory";
    case FileType::Symlink: return "symlink";
    case FileType::Hardlink: return "hardlink";
    case FileType::CharDevice: return "char-device";
    case FileType::BlockDevice: return "block-device";
    case FileType::Fifo: return "fifo";
    case FileType::Other: return "other";
  }
  return "other";
}

namespace {

// Splits on '/' dropping empty components; "." components are kept for the caller to decide.
std::vector<std::string_view> split_components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
// The directory part of an absolute path ("/a/b" → "/a").
std::string_view parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

// A normalised absolute path needs no work: starts with '/', no empty, "." or ".." components, no
// trailing slash (except "/" itself).
bool is_normalized(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  for (std::string_view part : split_components(path)) {
    if (part == "." || part == "..") return false;
  }
  return path.find("//") == std::string_view::npos;
}

}  // namespace

std::optional<std::string> normalize_image_path(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (std::string_view part : split_components(name)) {
    if (part == ".") continue;
    if (part == "..") return std::nullopt;
    out.push_back('/');
    out.append(part);
  }
  if (out.empty()) out.push_back('/');
  return out;
}

bool is_captured_path(std::string_view p) {
  if (p == "/etc/passwd" || p == "/etc/group") return true;
  if (starts_with(p, "/etc/nginx/")) {
    std::string_view parent = parent_of(p);
    return ends_with(p, ".conf") || parent == "/etc/nginx/sites-enabled" ||
           parent == "/etc/nginx/sites-available" || parent == "/etc/nginx/conf.d";
  }
  if (p == "/etc/httpd/conf/httpd.conf" || p == "/usr/local/apache2/conf/httpd.conf") return true;
  if ((parent_of(p) == "/etc/httpd/conf.d" || parent_of(p) == "/etc/httpd/conf.modules.d" ||
       parent_of(p) == "/usr/local/apache2/conf/extra") &&
      ends_with(p, ".conf")) {
    return true;
  }
  if (starts_with(p, "/etc/apache2/") && ends_with(p, ".conf")) return true;
  if (p == "/etc/apache2/envvars") return true;  // APACHE_RUN_DIR, APACHE_RUN_USER, ...
  if (starts_with(p, "/etc/redis/") && ends_with(p, ".conf")) return true;
  if (starts_with(p, "/etc/lighttpd/") && ends_with(p, ".conf")) return true;
  return false;
}

const FileEntry* FilesystemView::find(std::string_view abs_path) const {
  auto it = entries_.find(abs_path);
  if (it != entries_.end()) return &it->second;
  if (is_normalized(abs_path)) return nullptr;
  auto normalized = normalize_image_path(abs_path);
  if (!normalized) return nullptr;
  it = entries_.find(*normalized);
  return it == entries_.end() ? nullptr : &it->second;
}

std::pair<FilesystemView::Map::const_iterator, FilesystemView::Map::const_iterator>
FilesystemView::subtree_range(std::string_view dir) const {
  auto normalized = normalize_image_path(dir);
  if (!normalized) return {entries_.end(), entries_.end()};
  if (*normalized == "/") {
    auto first = entries_.upper_bound(std::string_view("/"));
    return {first, entries_.end()};
  }
  // Keys below "D" are exactly those in ["D/", "D0"): '0' is the byte after '/'.
  std::string low = *normalized + "/";
  std::string high = *normalized + "0";
  return {entries_.lower_bound(low), entries_.lower_bound(high)};
}

std::optional<std::string_view> FilesystemView::content(std::string_view abs_path) const {
  auto normalized = normalize_image_path(abs_path);
  if (!normalized) return std::nullopt;
  if (auto it = contents_.find(*normalized); it != contents_.end()) return std::string_view(it->second);
  auto resolved = resolve(*normalized);
  if (!resolved) return std::nullopt;
  if (auto it = contents_.find(*resolved); it != contents_.end()) return std::string_view(it->second);
  const FileEntry* entry = find(*resolved);
  if (entry && entry->type == FileType::Hardlink) {
    if (auto it = contents_.find(entry->link_target); it != contents_.end()) return std::string_view(it->second);
  }
  return std::nullopt;
}

std::vector<std::string> FilesystemView::hardlink_group(std::string_view path) const {
  auto normalized = normalize_image_path(path);
  if (!normalized) return {};
  auto it = entries_.find(*normalized);
  if (it == entries_.end()) return {};
  std::string root = it->second.type == FileType::Hardlink ? it->second.link_target : *normalized;
  std::vector<std::string> group;
  if (auto r = entries_.find(root); r != entries_.end() && r->second.type != FileType::Hardlink) {
    group.push_back(root);
  }
  auto [first, last] = hardlinks_.equal_range(root);
  for (auto h = first; h != last; ++h) group.push_back(h->second);
  std::sort(group.begin(), group.end());
  return group;
}

std::optional<std::string> FilesystemView::resolve(std::string_view path) const {
  constexpr int kMaxSymlinks = 40;
  std::deque<std::string> pending;
  for (std::string_view part : split_components(path)) pending.emplace_back(part);
  std::vector<std::string> resolved;
  std::string candidate;
  int followed = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    candidate.clear();
    for (const auto& r : resolved) candidate.append("/").append(r);
    candidate.append("/").append(part);
    auto it = entries_.find(candidate);
    if (it != entries_.end() && it->second.type == FileType::Symlink) {
      if (++followed > kMaxSymlinks) return std::nullopt;
      const std::string& target = it->second.link_target;
      if (target.empty()) return std::nullopt;
      if (target[0] == '/') resolved.clear();
      auto parts = split_components(target);
      for (auto p = parts.rbegin(); p != parts.rend(); ++p) pending.emplace_front(*p);
      continue;
    }
    if (it != entries_.end() && it->second.type != FileType::Directory && !pending.empty()) {
      return std::nullopt;  // a file cannot have children
    }
    resolved.push_back(std::move(part));
  }
  std::string out;
  for (const auto& r : resolved) out.append("/").append(r);
  return out.empty() ? std::string("/") : out;
}

// Takes path out of the hardlink index before it is removed or replaced. When path is the first
// path of an inode that still has hardlinks, the smallest of those becomes the inode's file.
void FilesystemView::erase_path(const std::string& path) {
  contents_.erase(path);
  auto it = entries_.find(path);
  if (it == entries_.end()) return;
  if (it->second.type == FileType::Hardlink) {
    auto [first, last] = hardlinks_.equal_range(it->second.link_target);
    for (auto h = first; h != last; ++h) {
      if (h->second == path) {
        hardlinks_.erase(h);
        break;
      }
    }
  } else {
    auto [first, last] = hardlinks_.equal_range(path);
    std::vector<std::string> links;
    for (auto h = first; h != last; ++h) links.push_back(h->second);
    hardlinks_.erase(first, last);
    if (!links.empty()) {
      std::sort(links.begin(), links.end());
      FileEntry& promoted = entries_.at(links[0]);
      promoted.type = FileType::Regular;
      promoted.link_target.clear();
      for (size_t i = 1; i < links.size(); ++i) {
        entries_.at(links[i]).link_target = links[0];
        hardlinks_.emplace(links[0], links[i]);
      }
    }
  }
  entries_.erase(path);
}

void FilesystemView::erase_subtree(const std::string& dir) {
  auto [first, last] = subtree_range(dir);
  std::vector<std::string> doomed;
  for (auto it = first; it != last; ++it) doomed.push_back(it->first);
  for (const auto& path : doomed) erase_path(path);
}

void FilesystemView::apply_layer(LayerChanges&& changes, uint32_t layer_index) {
  for (const auto& dir : changes.opaque_dirs) erase_subtree(dir);
  for (const auto& path : changes.whiteouts) {
    erase_subtree(path);
    erase_path(path);
  }
  for (auto& [path, entry] : changes.entries) {
    entry.layer = layer_index;
    auto existing = entries_.find(path);
    if (existing != entries_.end()) {
      // A non-directory hides whatever a lower directory held at this path.
      if (existing->second.type == FileType::Directory && entry.type != FileType::Directory) {
        erase_subtree(path);
      }
      erase_path(path);
    }
    if (entry.type == FileType::Hardlink) {
      auto target = entries_.find(entry.link_target);
      if (target == entries_.end()) {
        throw std::invalid_argument("hardlink " + path + " -> " + entry.link_target +
                                    " does not name an earlier entry of the image");
      }
      if (target->second.type == FileType::Directory) {
        throw std::invalid_argument("hardlink " + path + " -> " + entry.link_target + " names a directory");
      }
      if (target->second.type == FileType::Hardlink) entry.link_target = target->second.link_target;
      entry.size = target->second.size;
    }
    if (entry.type == FileType::Hardlink) hardlinks_.emplace(entry.link_target, path);
    entries_.insert_or_assign(path, std::move(entry));
  }
  for (auto& [path, text] : changes.contents) {
    if (entries_.count(path)) contents_.insert_or_assign(path, std::move(text));
  }
}

}  // namespace okd
