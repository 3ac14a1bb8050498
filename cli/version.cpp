#include "cli/version.h"

#include "okdlint_commit.h"
#include "okdlint_version.h"

namespace okd::cli {

std::string version_line() { return "okdlint " OKDLINT_VERSION " (commit " OKDLINT_COMMIT ")"; }

}  // namespace okd::cli
