// `okdlint hook`: git hooks that lint the Containerfiles a push or a commit changes. The content is
// read from git (the pushed commits, the index), not from the work tree, because that is what
// will be pushed or committed.
//
//   okdlint hook install [--pre-push|--pre-commit] [--force] [--chain]
//   okdlint hook uninstall [--pre-push|--pre-commit]
//   okdlint hook run-pre-push [REMOTE [URL]]   (git's update lines on stdin)
//   okdlint hook run-pre-commit
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "cli/common.h"
#include "lint/report/reporter.h"
#include "okdlint_version.h"
#include "rules/engine.h"
#include "rules/rule.h"

extern char** environ;

namespace fs = std::filesystem;

namespace okd::cli {
namespace {

// The line that marks a hook script as okdlint's own: uninstall and re-install look for it.
constexpr std::string_view kHookMarker = "okdlint-managed-hook";
constexpr std::string_view kChainedSuffix = ".okdlint-chained";

enum class HookKind { PrePush, PreCommit };

std::string hook_name(HookKind kind) { return kind == HookKind::PrePush ? "pre-push" : "pre-commit"; }

// ---------------------------------------------------------------------------------------------
// Running git

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs argv[0] (searched on PATH) with stdin from /dev/null, collecting stdout and stderr. Both
// pipes are drained together so that a chatty stderr cannot block the child.
ProcessResult run_process(const std::vector<std::string>& argv) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw InputError("cannot create a pipe: " + std::string(std::strerror(errno)));
  FileDescriptor out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) throw InputError("cannot create a pipe: " + std::string(std::strerror(errno)));
  FileDescriptor err_read(err_pipe[0]), err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int spawn_error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  out_write.reset();
  err_write.reset();
  if (spawn_error != 0) throw InputError("cannot run " + argv[0] + ": " + std::strerror(spawn_error));

  ProcessResult result;
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buffer[1 << 16];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // end of file (or a read error): stop polling this pipe
        --open_count;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return result;
}

ProcessResult git(std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  return run_process(args);
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? std::string("failed") : line;
}

std::string trim_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// git's stdout (without the final newline), or InputError carrying git's own complaint.
std::string git_checked(const std::vector<std::string>& args) {
  ProcessResult r = git(args);
  if (r.exit_code != 0) throw InputError("git " + args.front() + ": " + first_line(r.err));
  return r.out;
}

std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_null_object_id(std::string_view id) {
  return !id.empty() && id.find_first_not_of('0') == std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Which files to lint

// A Containerfile as git holds it: its path from the repository root and its blob.
struct GitFile {
  std::string path;
  std::string blob;
  std::string origin;  // the ref it came from, to tell apart two versions of one path
};

bool is_regular_file_mode(std::string_view mode) { return mode == "100644" || mode == "100755"; }

bool wanted(const std::string& path) { return is_containerfile_name(fs::path(path).filename().string()); }

// Parses `git diff-tree/diff-index -z` raw output: ":OLDMODE NEWMODE OLDSHA NEWSHA STATUS\0PATH\0".
// Renames are off (plumbing default), so each entry has one path.
std::vector<GitFile> parse_raw_diff(const std::string& output, const std::string& origin) {
  std::vector<GitFile> files;
  std::vector<std::string> parts = split_nul(output);
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    std::istringstream header(parts[i]);
    std::string old_mode, new_mode, old_id, new_id, status;
    header >> old_mode >> new_mode >> old_id >> new_id >> status;
    const std::string& path = parts[i + 1];
    if (!is_regular_file_mode(new_mode) || !wanted(path)) continue;  // symlinks, submodules
    files.push_back({path, new_id, origin});
  }
  return files;
}

// Parses `git ls-tree -r -z` output: "MODE TYPE ID\tPATH\0".
std::vector<GitFile> parse_ls_tree(const std::string& output, const std::string& origin) {
  std::vector<GitFile> files;
  for (const std::string& entry : split_nul(output)) {
    size_t tab = entry.find('\t');
    if (tab == std::string::npos) continue;
    std::istringstream header(entry.substr(0, tab));
    std::string mode, type, id;
    header >> mode >> type >> id;
    std::string path = entry.substr(tab + 1);
    if (type != "blob" || !is_regular_file_mode(mode) || !wanted(path)) continue;
    files.push_back({path, id, origin});
  }
  return files;
}

std::optional<std::string> resolve_commit(const std::string& rev) {
  ProcessResult r = git({"rev-parse", "--verify", "--quiet", rev + "^{commit}"});
  if (r.exit_code != 0) return std::nullopt;
  return trim_newline(r.out);
}

std::optional<std::string> merge_base(const std::string& a, const std::string& b) {
  ProcessResult r = git({"merge-base", a, b});
  if (r.exit_code != 0) return std::nullopt;
  return trim_newline(r.out);
}

// Where a new branch forks from what the remote already has: the merge-base with the remote's
// default branch, else the nearest merge-base with any of its remote-tracking branches.
std::optional<std::string> base_for_new_branch(const std::string& remote, const std::string& local_commit) {
  if (remote.empty() || remote.find_first_of(":/\\ ") != std::string::npos) return std::nullopt;  // a URL
  if (auto head = resolve_commit("refs/remotes/" + remote + "/HEAD")) {
    if (auto base = merge_base(*head, local_commit)) return base;
  }
  ProcessResult refs = git({"for-each-ref", "--format=%(objectname)", "refs/remotes/" + remote + "/"});
  if (refs.exit_code != 0) return std::nullopt;
  std::optional<std::string> best;
  long best_distance = LONG_MAX;
  std::istringstream lines(refs.out);
  for (std::string ref; std::getline(lines, ref);) {
    auto base = merge_base(ref, local_commit);
    if (!base) continue;
    ProcessResult count = git({"rev-list", "--count", *base + ".." + local_commit});
    if (count.exit_code != 0) continue;
    long distance = std::strtol(count.out.c_str(), nullptr, 10);
    if (distance < best_distance) {
      best_distance = distance;
      best = base;
    }
  }
  return best;
}

struct PushUpdate {
  std::string local_ref, local_id, remote_ref, remote_id;
};

std::vector<PushUpdate> parse_push_updates(const std::string& text) {
  std::vector<PushUpdate> updates;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    line = trim_newline(line);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream fields(line);
    PushUpdate u;
    std::string extra;
    if (!(fields >> u.local_ref >> u.local_id >> u.remote_ref >> u.remote_id) || (fields >> extra)) {
      throw InputError(located("stdin", number, "expected '<local ref> <local sha> <remote ref> <remote sha>' as git passes to pre-push"));
    }
    updates.push_back(u);
  }
  return updates;
}

// The Containerfiles a push changes, with their blobs at the pushed commits.
std::vector<GitFile> files_changed_by_push(const std::vector<PushUpdate>& updates, const std::string& remote) {
  std::vector<GitFile> files;
  for (const PushUpdate& u : updates) {
    if (is_null_object_id(u.local_id)) continue;  // deleting a remote ref pushes no content
    std::optional<std::string> local = resolve_commit(u.local_id);
    if (!local) continue;  // e.g. a tag of a tree: nothing a Containerfile check applies to
    std::optional<std::string> base;
    if (!is_null_object_id(u.remote_id)) base = resolve_commit(u.remote_id);  // unknown locally: not fetched
    if (!base) base = base_for_new_branch(remote, *local);
    std::vector<GitFile> found;
    if (base) {
      found = parse_raw_diff(git_checked({"diff-tree", "-r", "-z", "--no-renames", "--diff-filter=d", *base, *local}),
                             u.local_ref);
    } else {
      found = parse_ls_tree(git_checked({"ls-tree", "-r", "-z", *local}), u.local_ref);
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// The Containerfiles the next commit changes, with their staged blobs.
std::vector<GitFile> files_staged_for_commit() {
  std::string against = "HEAD";
  if (!resolve_commit("HEAD")) {
    // No commit yet: everything staged is new; compare with the empty tree.
    against = trim_newline(git_checked({"hash-object", "-t", "tree", "/dev/null"}));
  }
  std::vector<GitFile> files =
      parse_raw_diff(git_checked({"diff-index", "--cached", "-z", "--no-renames", "--diff-filter=d", against}), "index");
  for (GitFile& f : files) {
    if (is_null_object_id(f.blob)) f.blob = ":" + f.path;  // not hashed yet: read it from the index by path
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Linting git content

struct HookLintOptions {
  ConfigOptions config;
  std::vector<std::string> select;
};

// Lints the files' git content, reports on stderr in tty format with repository paths, and
// returns the exit code. `what` completes "no Containerfiles changed ..." / "checked N ...".
int lint_git_files(std::vector<GitFile> files, const HookLintOptions& options, const std::string& what,
                   const std::string& blocked_advice) {
  // One version of a path is linted once even when several refs push it.
  std::set<std::pair<std::string, std::string>> seen;
  std::erase_if(files, [&](const GitFile& f) { return !seen.insert({f.path, f.blob}).second; });
  std::map<std::string, int> versions_of_path;
  for (const GitFile& f : files) ++versions_of_path[f.path];

  if (files.empty()) {
    std::cerr << "okdlint: no Containerfiles changed " << what << "\n";
    return kExitClean;
  }

  const fs::path top = trim_newline(git_checked({"rev-parse", "--show-toplevel"}));
  RuleSelection selection;
  for (const std::string& id : options.select) selection.select.insert(id);
  RegistryAliases aliases = RegistryAliases::load();
  std::vector<std::unique_ptr<SourceFile>> sources;
  std::map<std::string, const SourceFile*> source_by_name;
  ReportInput report;
  report.rules = all_rule_infos();
  report.tool_version = OKDLINT_VERSION;
  bool fail = false;
  bool input_error = false;

  for (const GitFile& f : files) {
    std::string display = f.path;
    if (versions_of_path[f.path] > 1) display += " (" + f.origin + ")";
    ProcessResult content = git({"cat-file", "blob", f.blob});
    if (content.exit_code != 0) {
      print_error(located(display, 0, "cannot read from git: " + first_line(content.err)));
      input_error = true;
      continue;
    }
    // Configuration comes from the work tree around the file, as for `okdlint PATH`.
    Config config = options.config.load_for((top / f.path).string());
    auto source = std::make_unique<SourceFile>(display, std::move(content.out));
    ContainerfileLint result = lint_containerfile(*source, config, aliases, selection);
    if (!result.model.error.empty()) {
      print_error(located(display, 0, result.model.error));
      input_error = true;
      continue;
    }
    for (const Diagnostic& d : result.diagnostics) fail = fail || config.fails(d.severity);
    report.files.push_back(display);
    report.diagnostics.insert(report.diagnostics.end(), result.diagnostics.begin(), result.diagnostics.end());
    source_by_name[display] = source.get();
    sources.push_back(std::move(source));
  }

  report.source_for = [&](const std::string& file) -> const SourceFile* {
    auto it = source_by_name.find(file);
    return it == source_by_name.end() ? nullptr : it->second;
  };
  report.color = color_wanted(stderr_is_terminal());
  write_report(ReportFormat::Tty, report, std::cerr);
  std::cerr << "okdlint: checked " << files.size() << (files.size() == 1 ? " Containerfile" : " Containerfiles")
            << " changed " << what << ": " << report.diagnostics.size()
            << (report.diagnostics.size() == 1 ? " finding" : " findings") << "\n";
  if (input_error || fail) {
    std::cerr << "okdlint: " << blocked_advice << "\n";
    return input_error ? kExitError : kExitFindings;
  }
  return kExitClean;
}

// ---------------------------------------------------------------------------------------------
// Installing

fs::path hooks_directory() {
  // --git-path honours core.hooksPath and linked worktrees; it is relative to the current directory.
  std::string path = trim_newline(git_checked({"rev-parse", "--git-path", "hooks"}));
  return fs::absolute(path).lexically_normal();
}

// The okdlint that installs the hook is the one the hook runs; `okdlint` on PATH if it moved.
std::string own_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("okdlint") : self.string();
}

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

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw InputError(located(from.string(), 0, "cannot rename to " + to.string() + ": " + ec.message()));
}

struct InstallOptions {
  bool pre_push = false;
  bool pre_commit = false;
  bool force = false;
  bool chain = false;
};

int install_hook(const InstallOptions& options) {
  const HookKind kind = options.pre_commit ? HookKind::PreCommit : HookKind::PrePush;
  const fs::path dir = hooks_directory();
  const fs::path hook = dir / hook_name(kind);
  const fs::path chained = chained_path(hook);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(located(dir.string(), 0, "cannot create the hooks directory: " + ec.message()));

  if (exists_no_follow(hook) && !written_by_okdlint(hook)) {
    if (options.chain) {
      if (exists_no_follow(chained)) {
        throw InputError(located(chained.string(), 0, "already exists; move it away before chaining " + hook.string()));
      }
      rename_or_throw(hook, chained);
      std::cout << "okdlint: kept the existing " << hook_name(kind) << " hook as " << chained.string()
                << "; it runs before okdlint\n";
    } else if (options.force) {
      fs::remove(hook, ec);
      if (ec) throw InputError(located(hook.string(), 0, "cannot remove: " + ec.message()));
      std::cout << "okdlint: replaced the existing " << hook_name(kind) << " hook (--force)\n";
    } else {
      throw InputError(located(hook.string(), 0,
                               "a " + hook_name(kind) +
                                   " hook not written by okdlint exists; use --chain to run it before okdlint, "
                                   "or --force to replace it"));
    }
  }

  // A hook chained by an earlier install stays chained when okdlint's hook is rewritten.
  const bool chain = exists_no_follow(chained);
  const fs::path temporary = hook.string() + ".okdlint-new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << hook_script(kind, own_executable(), chain);
    if (!out) throw InputError(located(temporary.string(), 0, "cannot write"));
  }
  fs::permissions(temporary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec, ec);
  if (ec) throw InputError(located(temporary.string(), 0, "cannot make executable: " + ec.message()));
  rename_or_throw(temporary, hook);
  std::cout << "okdlint: installed the " << hook_name(kind) << " hook at " << hook.string() << "\n";
  return kExitClean;
}

int uninstall_hooks(const InstallOptions& options) {
  std::vector<HookKind> kinds;
  if (options.pre_push || !options.pre_commit) kinds.push_back(HookKind::PrePush);
  if (options.pre_commit || !options.pre_push) kinds.push_back(HookKind::PreCommit);
  const fs::path dir = hooks_directory();
  for (HookKind kind : kinds) {
    const fs::path hook = dir / hook_name(kind);
    const fs::path chained = chained_path(hook);
    if (exists_no_follow(hook)) {
      if (!written_by_okdlint(hook)) {
        std::cout << "okdlint: left " << hook.string() << " alone: okdlint did not write it\n";
        continue;
      }
      std::error_code ec;
      fs::remove(hook, ec);
      if (ec) throw InputError(located(hook.string(), 0, "cannot remove: " + ec.message()));
      std::cout << "okdlint: removed the " << hook_name(kind) << " hook " << hook.string() << "\n";
    } else if (!exists_no_follow(chained)) {
      if (options.pre_push || options.pre_commit) {
        std::cout << "okdlint: no " << hook_name(kind) << " hook installed in " << dir.string() << "\n";
      }
      continue;
    }
    if (exists_no_follow(chained)) {
      rename_or_throw(chained, hook);
      std::cout << "okdlint: restored the chained " << hook_name(kind) << " hook " << hook.string() << "\n";
    }
  }
  return kExitClean;
}

// ---------------------------------------------------------------------------------------------
// The command line

struct HookOptions {
  InstallOptions install;
  std::string remote_name;
  std::string remote_url;
  HookLintOptions lint;
};

void add_lint_options(CLI::App& app, HookLintOptions& options) {
  app.add_option("--select", options.select, "Only these rule ids (repeatable, or comma separated)")->delimiter(',');
  options.config.add_to(app);
}

const CommandRegistrar kHook{{"hook", [](CLI::App& root) -> std::function<int()> {
  auto options = std::make_shared<HookOptions>();
  CLI::App* hook = root.add_subcommand("hook", "Install git hooks that lint changed Containerfiles before a push or commit");
  hook->require_subcommand(1);

  CLI::App* install = hook->add_subcommand(
      "install", "Write a git hook (pre-push by default) into this repository's hooks directory");
  CLI::Option* pre_push = install->add_flag("--pre-push", options->install.pre_push, "Lint the Containerfiles a push changes (default)");
  CLI::Option* pre_commit =
      install->add_flag("--pre-commit", options->install.pre_commit, "Lint the staged Containerfiles before each commit");
  pre_push->excludes(pre_commit);
  CLI::Option* force = install->add_flag("--force", options->install.force, "Replace an existing hook that okdlint did not write");
  CLI::Option* chain = install->add_flag("--chain", options->install.chain,
                                         "Keep an existing hook (renamed to <hook>.okdlint-chained) and run it first");
  force->excludes(chain);

  CLI::App* uninstall = hook->add_subcommand(
      "uninstall", "Remove the hooks okdlint wrote (both unless one is named) and restore chained hooks");
  CLI::Option* un_push = uninstall->add_flag("--pre-push", options->install.pre_push, "Only the pre-push hook");
  CLI::Option* un_commit = uninstall->add_flag("--pre-commit", options->install.pre_commit, "Only the pre-commit hook");
  un_push->excludes(un_commit);

  CLI::App* run_push = hook->add_subcommand(
      "run-pre-push", "What the pre-push hook runs: lint the Containerfiles changed by the updates git gives on stdin");
  run_push->add_option("remote", options->remote_name, "Remote name (git passes it)");
  run_push->add_option("url", options->remote_url, "Remote URL (git passes it)");
  add_lint_options(*run_push, options->lint);

  CLI::App* run_commit = hook->add_subcommand("run-pre-commit", "What the pre-commit hook runs: lint the staged Containerfiles");
  add_lint_options(*run_commit, options->lint);

  return [options, install, uninstall, run_push, run_commit]() {
    if (install->parsed()) return install_hook(options->install);
    if (uninstall->parsed()) return uninstall_hooks(options->install);
    if (run_push->parsed()) {
      std::vector<PushUpdate> updates = parse_push_updates(read_stdin());
      return lint_git_files(files_changed_by_push(updates, options->remote_name), options->lint,
                            "in this push",
                            "push blocked; fix the findings (okdlint fix --write FILE) and commit, "
                            "or skip the check once with git push --no-verify");
    }
    if (run_commit->parsed()) {
      return lint_git_files(files_staged_for_commit(), options->lint, "in the index",
                            "commit blocked; fix the findings (okdlint fix --write FILE) and git add them, "
                            "or skip the check once with git commit --no-verify");
    }
    return kExitError;
  };
}}};

}  // namespace
}  // namespace okd::cli
