// Replacing a file without ever leaving it half-written: a temporary file in the same directory,
// fsync, the original's mode and owner, then rename over the original. A symlink is followed (its
// target is written, the link kept); a read-only file is refused; a file with hard links is
// written in place through the same inode once the temporary copy succeeded, so the links stay.
#pragma once

#include <string>

namespace okd {

// Throws std::runtime_error("PATH: reason") and leaves the original untouched on any failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace okd
