// okdlint: lint Containerfiles and images for OKD/OpenShift, fix what it finds.
// The root command lints; subcommands (parse, rules, fix, rewrite, hook) register themselves.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/lint.h"
#include "cli/version.h"
#include "okdlint_version.h"

namespace okd::cli {
std::vector<Command>& commands() {
  static std::vector<Command> registered;
  return registered;
}
}  // namespace okd::cli

int main(int argc, char** argv) {
  using namespace okd::cli;
  CLI::App app{"okdlint " OKDLINT_VERSION
               " - find and fix what keeps container images from running on OKD/OpenShift\n"
               "(random UID with GID 0, no ports below 1024, no root, Docker Hub through a proxy).\n\n"
               "  okdlint Containerfile            lint a Containerfile (or a directory of them)\n"
               "  okdlint image.tar                lint an image archive, OCI layout or config JSON\n"
               "  okdlint fix --diff Containerfile show the fixes; --write applies them\n"
               "  okdlint rewrite IMAGE -o OUT     append a layer that fixes an image archive\n"
               "  okdlint hook install             block git pushes that add findings\n"
               "  okdlint rules [ID]               list the rules or explain one\n\n"
               "Exit codes: 0 clean, 1 findings at or above --failure-threshold, 2 usage or input error.\n",
               "okdlint"};
  app.set_version_flag("--version", version_line());
  app.require_subcommand(0, 1);
  app.fallthrough(false);

  LintOptions lint;
  lint.add_to(app);

  std::vector<std::pair<CLI::App*, std::function<int()>>> chosen;
  for (const Command& command : commands()) {
    std::function<int()> run = command.add(app);
    chosen.emplace_back(app.get_subcommand(command.name), std::move(run));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what() + std::string(" (see okdlint --help)"));
    return kExitError;
  }

  try {
    for (auto& [sub, run] : chosen) {
      if (sub && sub->parsed()) return run();
    }
    if (lint.paths.empty()) {
      print_error("no input given (see okdlint --help)");
      return kExitError;
    }
    return run_lint(lint);
  } catch (const InputError& e) {
    print_error(e.what());
    return kExitError;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitError;
  }
}
