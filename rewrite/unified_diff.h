// A unified diff of two texts with git-style headers, for `okdlint fix --diff`.
#pragma once

#include <string>
#include <string_view>

namespace okd {

// Lines keep their terminators, so CRLF and a missing final newline show up exactly
// ("\ No newline at end of file" as diff prints it). Empty string when the texts are equal.
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after, int context = 3);

}  // namespace okd
