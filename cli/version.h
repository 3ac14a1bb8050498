// What `okdlint --version` prints: the version and the git commit the executable was built from.
#pragma once

#include <string>

namespace okd::cli {

std::string version_line();  // "okdlint 0.1.0 (commit 8ff4cab12345)"

}  // namespace okd::cli
