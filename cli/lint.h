#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace okd::cli {

struct LintOptions {
  std::vector<std::string> paths;
  std::string format = "tty";
  std::optional<std::string> stdin_filename;
  std::vector<std::string> select;
  std::optional<std::string> changed_since;
  std::string platform = "linux/amd64";
  bool all_platforms = false;
  std::optional<std::string> containerfile;  // for image inputs: map findings back to lines
  std::string color = "auto";                 // auto | always | never (tty format)
  bool quiet = false;                         // findings only: no summary, no notes
  bool statistics = false;                    // counts per rule instead of the findings
  std::optional<std::string> root;           // reported paths are relative to it (report_root)
  std::optional<std::string> summary;        // append a Markdown summary to this file
  ConfigOptions config;
  RegistryFlags registry;

  void add_to(CLI::App& app);
};

int run_lint(const LintOptions& options);

}  // namespace okd::cli
