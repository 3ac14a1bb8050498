// `okdlint hook`: git hooks that lint the Containerfiles a push or a commit changes. The content is
// read from git (the pushed commits, the index), not from the work tree, because that is what
// will be pushed or committed. The git plumbing and the hook scripts live in git/.
//
//   okdlint hook install [--pre-push|--pre-commit] [--force] [--chain]
//   okdlint hook uninstall [--pre-push|--pre-commit]
//   okdlint hook run-pre-push [REMOTE [URL]]   (git's update lines on stdin)
//   okdlint hook run-pre-commit
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/base_lookup.h"
#include "cli/command.h"
#include "cli/common.h"
#include "git/hooks.h"
#include "git/repository.h"
#include "lint/report/reporter.h"
#include "okdlint_version.h"
#include "rules/engine.h"
#include "rules/rule.h"

namespace fs = std::filesystem;

namespace okd::cli {
namespace {

using git::GitFile;

bool wanted(const std::string& path) { return is_containerfile_name(fs::path(path).filename().string()); }

// The okdlint that installs the hook is the one the hook runs; `okdlint` on PATH if it moved.
std::string own_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("okdlint") : self.string();
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

  const fs::path top = git::toplevel();
  RuleSelection selection;
  for (const std::string& id : options.select) selection.select.insert(rule_id_argument("--select", id));
  RegistryAliases aliases = options.config.registry_aliases();
  std::vector<std::unique_ptr<SourceFile>> sources;
  std::map<std::string, const SourceFile*> source_by_name;
  ReportInput report;
  report.rules = all_rule_infos();
  report.tool_version = OKDLINT_VERSION;
  bool fail = false;
  bool input_error = false;
  // resolve-bases in a hook reads the cache only; the network only with hook-network: true.
  BaseLookup base_lookup(RegistryFlags{}, "linux/amd64", /*in_hook=*/true);

  for (const GitFile& f : files) {
    std::string display = f.path;
    if (versions_of_path[f.path] > 1) display += " (" + f.origin + ")";
    std::string git_error;
    std::optional<std::string> content = git::read_blob(f.blob, git_error);
    if (!content) {
      print_error(located(display, 0, "cannot read from git: " + git_error));
      input_error = true;
      continue;
    }
    // Configuration comes from the work tree around the file, as for `okdlint PATH`.
    Config config = options.config.load_for((top / f.path).string());
    std::string text;
    try {
      text = checked_containerfile(std::move(*content), display, "hook");
    } catch (const InputError& e) {
      print_error(e.what());
      input_error = true;
      continue;
    }
    auto source = std::make_unique<SourceFile>(display, std::move(text));
    base_lookup.apply(*source, config);
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
// The command line

struct HookOptions {
  git::HookInstallOptions install;
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
    if (install->parsed()) {
      git::install_hook(options->install, own_executable(), std::cout);
      return kExitClean;
    }
    if (uninstall->parsed()) {
      git::uninstall_hooks(options->install, std::cout);
      return kExitClean;
    }
    if (run_push->parsed()) {
      std::vector<git::PushUpdate> updates = git::parse_push_updates(read_stdin());
      return lint_git_files(git::files_changed_by_push(updates, options->remote_name, wanted), options->lint,
                            "in this push",
                            "push blocked; fix the findings (okdlint fix --write FILE) and commit, "
                            "or skip the check once with git push --no-verify");
    }
    if (run_commit->parsed()) {
      return lint_git_files(git::files_staged_for_commit(wanted), options->lint, "in the index",
                            "commit blocked; fix the findings (okdlint fix --write FILE) and git add them, "
                            "or skip the check once with git commit --no-verify");
    }
    return kExitError;
  };
}}};

}  // namespace
}  // namespace okd::cli
