// Replacing a file without ever leaving it half-written: a temporary file in the same directory,
// fsync, the original's mode and owner, then rename over the original.
#pragma once

#include <string>

namespace okd {

// Throws std::runtime_error("PATH: reason") and leaves the original untouched on any failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace okd
