#include "git/hooks.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "git/repository.h"

namespace fs = std::filesystem;

namespace okd::git {
namespace {

// The line that marks a hook script as okdlint's own: uninstall and re-install look for it.
constexpr std::string_view kHookMarker = "okdlint-managed-hook";
constexpr std::string_view kChainedSuffix = ".okdlint-chained";

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool exists_no_follow(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

bool written_by_okdlint(const fs::path& hook) {
  std::error_code ec;
  if (!fs::is_regular_file(hook, ec)) return false;
  std::ifstream in(hook);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#") && line.find(kHookMarker) != std::string::npos) return true;
  }
  return false;
}

fs::path chained_path(const fs::path& hook) { return hook.string() + std::string(kChainedSuffix); }

GitError path_error(const fs::path& path, const std::string& what) { return GitError(path.string() + ": " + what); }

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw path_error(from, "cannot rename to " + to.string() + ": " + ec.message());
}

fs::path absolute_hooks_directory() { return fs::absolute(hooks_directory()).lexically_normal(); }

}  // namespace

std::string hook_name(HookKind kind) { return kind == HookKind::PrePush ? "pre-push" : "pre-commit"; }

std::string hook_script(HookKind kind, const std::string& executable, bool chained) {
  const std::string name = hook_name(kind);
  const std::string run = kind == HookKind::PrePush ? "run-pre-push" : "run-pre-commit";
  std::ostringstream s;
  s << "#!/bin/sh\n"
    << "# " << kHookMarker << ": written by 'okdlint hook install'; 'okdlint hook uninstall' removes it.\n"
    << (kind == HookKind::PrePush ? "# Lints the Containerfiles this push changes, as they are in the pushed commits.\n"
                                  : "# Lints the staged Containerfiles, as they are in the index.\n")
    << "okdlint=" << shell_quote(executable) << "\n"
    << "[ -x \"$okdlint\" ] || okdlint=okdlint\n"
    << "if ! command -v \"$okdlint\" >/dev/null 2>&1; then\n"
    << "  echo \"okdlint: okdlint is not installed; install it or delete $0 (skip once: git "
    << (kind == HookKind::PrePush ? "push" : "commit") << " --no-verify)\" >&2\n"
    << "  exit 1\n"
    << "fi\n";
  if (chained) {
    s << "# The hook that was here before okdlint's runs first.\n"
      << "chained=\"$(dirname -- \"$0\")/" << name << kChainedSuffix << "\"\n";
    if (kind == HookKind::PrePush) {
      // Both hooks read git's update lines, so keep them.
      s << "updates=$(cat)\n"
        << "if [ -x \"$chained\" ]; then\n"
        << "  if [ -n \"$updates\" ]; then printf '%s\\n' \"$updates\"; fi | \"$chained\" \"$@\" || exit $?\n"
        << "fi\n"
        << "if [ -n \"$updates\" ]; then printf '%s\\n' \"$updates\"; fi | \"$okdlint\" hook " << run << " \"$@\"\n";
    } else {
      s << "if [ -x \"$chained\" ]; then\n"
        << "  \"$chained\" \"$@\" || exit $?\n"
        << "fi\n"
        << "exec \"$okdlint\" hook " << run << "\n";
    }
  } else {
    s << "exec \"$okdlint\" hook " << run << (kind == HookKind::PrePush ? " \"$@\"" : "") << "\n";
  }
  return s.str();
}

void install_hook(const HookInstallOptions& options, const std::string& executable, std::ostream& out) {
  const HookKind kind = options.pre_commit ? HookKind::PreCommit : HookKind::PrePush;
  const fs::path dir = absolute_hooks_directory();
  const fs::path hook = dir / hook_name(kind);
  const fs::path chained = chained_path(hook);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw path_error(dir, "cannot create the hooks directory: " + ec.message());

  if (exists_no_follow(hook) && !written_by_okdlint(hook)) {
    if (options.chain) {
      if (exists_no_follow(chained)) throw path_error(chained, "already exists; move it away before chaining " + hook.string());
      rename_or_throw(hook, chained);
      out << "okdlint: kept the existing " << hook_name(kind) << " hook as " << chained.string()
          << "; it runs before okdlint\n";
    } else if (options.force) {
      fs::remove(hook, ec);
      if (ec) throw path_error(hook, "cannot remove: " + ec.message());
      out << "okdlint: replaced the existing " << hook_name(kind) << " hook (--force)\n";
    } else {
      throw path_error(hook, "a " + hook_name(kind) +
                                 " hook not written by okdlint exists; use --chain to run it before okdlint, "
                                 "or --force to replace it");
    }
  }

  // A hook chained by an earlier install stays chained when okdlint's hook is rewritten.
  const bool chain = exists_no_follow(chained);
  const fs::path temporary = hook.string() + ".okdlint-new";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << hook_script(kind, executable, chain);
    if (!file) throw path_error(temporary, "cannot write");
  }
  fs::permissions(temporary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec, ec);
  if (ec) throw path_error(temporary, "cannot make executable: " + ec.message());
  rename_or_throw(temporary, hook);
  out << "okdlint: installed the " << hook_name(kind) << " hook at " << hook.string() << "\n";
}

void uninstall_hooks(const HookInstallOptions& options, std::ostream& out) {
  std::vector<HookKind> kinds;
  if (options.pre_push || !options.pre_commit) kinds.push_back(HookKind::PrePush);
  if (options.pre_commit || !options.pre_push) kinds.push_back(HookKind::PreCommit);
  const fs::path dir = absolute_hooks_directory();
  for (HookKind kind : kinds) {
    const fs::path hook = dir / hook_name(kind);
    const fs::path chained = chained_path(hook);
    if (exists_no_follow(hook)) {
      if (!written_by_okdlint(hook)) {
        out << "okdlint: left " << hook.string() << " alone: okdlint did not write it\n";
        continue;
      }
      std::error_code ec;
      fs::remove(hook, ec);
      if (ec) throw path_error(hook, "cannot remove: " + ec.message());
      out << "okdlint: removed the " << hook_name(kind) << " hook " << hook.string() << "\n";
    } else if (!exists_no_follow(chained)) {
      if (options.pre_push || options.pre_commit) {
        out << "okdlint: no " << hook_name(kind) << " hook installed in " << dir.string() << "\n";
      }
      continue;
    }
    if (exists_no_follow(chained)) {
      rename_or_throw(chained, hook);
      out << "okdlint: restored the chained " << hook_name(kind) << " hook " << hook.string() << "\n";
    }
  }
}

}  // namespace okd::git
