// The outer tar of a docker-archive / oci-archive: one pass over its headers records where each
// entry's data lies, so blobs are then read by pread, independently and in parallel.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace okd::image_detail {

struct TarMember {
  std::string name;  // normalised, relative ("blobs/sha256/ab…", "manifest.json")
  char type = '0';   // '0' file, '1' hardlink, '2' symlink, '5' directory, others kept as-is
  uint64_t offset = 0;  // data offset in the file
  uint64_t size = 0;
  std::string link_target;  // raw, for links
};

class OuterTar {
 public:
  // Indexes fd's tar headers. Refuses '..' names, corrupt headers and truncation (ImageError).
  OuterTar(int fd, uint64_t file_size);

  // The regular member a name leads to, following symlinks (relative to the entry's directory,
  // never out of the archive) and hardlinks; nullptr when absent. Refuses escapes and loops.
  const TarMember* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // The bytes of a member, refusing more than max_bytes. Throws when absent.
  std::string read(std::string_view name, uint64_t max_bytes, std::string_view what) const;

  int fd() const { return fd_; }
  const std::map<std::string, TarMember, std::less<>>& members() const { return members_; }

 private:
  int fd_;
  std::map<std::string, TarMember, std::less<>> members_;
};

}  // namespace okd::image_detail
