// Installing and removing okdlint's git hook scripts (pre-push, pre-commit). A hook okdlint did
// not write is never overwritten silently: it is kept and chained (--chain) or replaced (--force).
#pragma once

#include <ostream>
#include <string>

namespace okd::git {

enum class HookKind { PrePush, PreCommit };

std::string hook_name(HookKind kind);

struct HookInstallOptions {
  bool pre_push = false;
  bool pre_commit = false;
  bool force = false;
  bool chain = false;
};

// The script okdlint writes: it runs `EXECUTABLE hook run-…` (and first a chained hook).
std::string hook_script(HookKind kind, const std::string& executable, bool chained);

// Write or remove the hooks in the repository's hooks directory; progress lines go to `out`.
// Throw GitError on what cannot be done, naming the path.
void install_hook(const HookInstallOptions& options, const std::string& executable, std::ostream& out);
void uninstall_hooks(const HookInstallOptions& options, std::ostream& out);

}  // namespace okd::git
