// The merged filesystem of an image: per path only metadata (never file bytes), plus the content
// of a few small files rules need (/etc/passwd, /etc/group, web server configs).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace okd {

enum class FileType { Regular, Directory, Symlink, Hardlink, CharDevice, BlockDevice, Fifo, Other };
std::string_view to_string(FileType type);

struct FileEntry {
  FileType type = FileType::Regular;
  uint32_t uid = 0, gid = 0;
  uint32_t mode = 0;  // permission bits including setuid/setgid/sticky (07777)
  uint64_t size = 0;  // for a hardlink: the size of the file it links to
  // Symlink: the target as stored (relative or absolute). Hardlink: the normalised absolute path
  // of the first path of the inode (the regular file the tar links to).
  std::string link_target;
  std::string capability;  // raw security.capability bytes, empty when absent
  std::vector<std::string> xattr_names;
  uint32_t layer = 0;  // index of the layer that wrote this entry (0 = bottom)
};

// Lexical normalisation to an absolute path: "./a//b/" → "/a/b", "" or "." → "/". Returns nullopt
// when a ".." component remains (names are never allowed to climb).
std::optional<std::string> normalize_image_path(std::string_view name);

// Whether a path is one whose content the reader keeps (small server configs and account files).
bool is_captured_path(std::string_view abs_path);
inline constexpr uint64_t kMaxCapturedFileBytes = 1 << 20;

// What one layer contributes, in tar order; produced by the layer reader, consumed by apply_layer.
struct LayerChanges {
  struct Entry {
    std::string path;  // normalised absolute
    FileEntry entry;   // for a hardlink, link_target is the normalised target as the tar names it
  };
  std::vector<std::string> whiteouts;    // paths removed from lower layers (".wh.NAME")
  std::vector<std::string> opaque_dirs;  // directories whose lower children vanish (".wh..wh..opq")
  std::vector<Entry> entries;
  std::map<std::string, std::string> contents;  // captured small files of this layer
};

class FilesystemView {
 public:
  // abs_path is normalised first, so "etc/passwd" and "/etc//passwd/" find "/etc/passwd".
  const FileEntry* find(std::string_view abs_path) const;
  size_t size() const { return entries_.size(); }

  // Every entry in byte-wise path order ("/" first).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [path, entry] : entries_) fn(std::string_view(path), entry);
  }
  // Every entry strictly below a directory, in path order.
  template <class Fn>
  void for_each_under(std::string_view dir, Fn&& fn) const {
    auto [first, last] = subtree_range(dir);
    for (auto it = first; it != last; ++it) fn(std::string_view(it->first), it->second);
  }

  // Captured content of a small file; symlinks to it are followed inside the image.
  std::optional<std::string_view> content(std::string_view abs_path) const;
  // All paths sharing the inode of path (the file and every hardlink to it), sorted; empty when
  // path is absent, just {path} for a file without hardlinks.
  std::vector<std::string> hardlink_group(std::string_view path) const;
  // Follows symlinks inside the image root (absolute targets are relative to the image root, ".."
  // stops at the root), at most 40 of them. nullopt on a loop or when a path component that must
  // be a directory is a file. Missing components are kept as they are.
  std::optional<std::string> resolve(std::string_view path) const;

  // Building: layers are applied bottom first. Whiteouts and opaque markers of a layer hide lower
  // layers only; a hardlink must name an entry already present (earlier in this layer or below),
  // otherwise the layer is refused with std::invalid_argument (the loader turns it into
  // ImageError). The layer index is stamped on every entry.
  void apply_layer(LayerChanges&& changes, uint32_t layer_index);

 private:
  using Map = std::map<std::string, FileEntry, std::less<>>;
  std::pair<Map::const_iterator, Map::const_iterator> subtree_range(std::string_view dir) const;
  void erase_subtree(const std::string& dir);
  void erase_path(const std::string& path);

  Map entries_;
  std::map<std::string, std::string, std::less<>> contents_;
  // Hardlink index: first path of an inode → the hardlinks to it.
  std::multimap<std::string, std::string, std::less<>> hardlinks_;
};

}  // namespace okd
