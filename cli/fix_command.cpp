// `okdlint fix`: apply the fixes rules propose to Containerfiles.
#include <iostream>

#include "cli/base_lookup.h"
#include "cli/command.h"
#include "cli/common.h"
#include "rewrite/atomic_write.h"
#include "rewrite/fixer.h"
#include "rewrite/unified_diff.h"

namespace okd::cli {
namespace {

struct FixCommandOptions {
  std::vector<std::string> paths;
  bool diff = false;
  bool write = false;
  bool check = false;
  bool unsafe = false;
  std::vector<std::string> select;
  std::optional<std::string> stdin_filename;
  ConfigOptions config;
  RegistryFlags registry;
  std::string platform = "linux/amd64";
};

// What could not be fixed, and why, on stderr: the user should not think a clean exit means a
// clean file.
void report_unfixed(const FixResult& result, bool unsafe_allowed) {
  for (const Diagnostic& d : result.remaining) {
    std::string why = !d.fix ? "no automatic fix"
                      : (d.fix->applicability == Applicability::Unsafe && !unsafe_allowed)
                          ? "unsafe fix, rerun with --unsafe-fixes"
                          : "fix not applied";
    std::cerr << d.file << ":" << d.range.begin.line << ":" << d.range.begin.column << ": " << d.rule_id << " "
              << d.message << " (" << why << ")\n";
  }
  if (!result.converged) std::cerr << "okdlint: fixes did not converge after " << result.passes << " passes\n";
}

int run_fix(const FixCommandOptions& o) {
  int modes = int(o.diff) + int(o.write) + int(o.check);
  if (modes > 1) throw InputError("fix: choose one of --diff, --write, --check");
  std::vector<std::string> inputs = expand_inputs(o.paths);
  if (modes == 0 && inputs.size() != 1) throw InputError("fix: with several files, use --diff, --write or --check");
  RegistryAliases aliases = o.config.registry_aliases();
  bool would_change = false;
  bool findings_remain = false;  // at or above the failure threshold, after --write
  BaseLookup base_lookup(o.registry, o.platform);
  for (const std::string& input : inputs) {
    bool from_stdin = input == "-";
    if (from_stdin && o.write) throw InputError("fix: --write needs a file, not stdin");
    std::string display = from_stdin ? o.stdin_filename.value_or("-") : input;
    std::string text = from_stdin ? checked_containerfile(read_stdin(), display, "fix")
                                  : read_containerfile(input, display, "fix");
    Config config = o.config.load_for(from_stdin ? display : input);
    base_lookup.apply(SourceFile(display, text), config);
    FixOptions options;
    options.unsafe = o.unsafe;
    for (const std::string& id : o.select) options.selection.select.insert(rule_id_argument("--select", id));
    FixResult result = fix_containerfile(display, text, config, aliases, options);
    bool changed = result.text != text;
    would_change = would_change || changed;
    if (o.diff || o.check) {
      if (o.diff) std::cout << unified_diff(display, text, result.text);
      if (o.check && changed) std::cerr << display << ": " << count_of(result.applied.size(), "fix", "fixes") << " would apply\n";
    } else if (o.write) {
      if (changed) {
        try {
          write_file_atomically(input, result.text);
        } catch (const std::runtime_error& e) {
          throw InputError(e.what());
        }
        std::cerr << display << ": applied " << count_of(result.applied.size(), "fix", "fixes") << "\n";
      }
      // As ruff: a file that still has findings at the threshold fails, so a pre-commit hook does
      // not pass it.
      for (const Diagnostic& d : result.remaining) findings_remain = findings_remain || config.fails(d.severity);
    } else {
      std::cout << result.text;
    }
    report_unfixed(result, o.unsafe);
  }
  std::cout.flush();
  return (o.check && would_change) || findings_remain ? kExitFindings : kExitClean;
}

const CommandRegistrar kFix{{"fix", [](CLI::App& root) -> std::function<int()> {
  auto o = std::make_shared<FixCommandOptions>();
  CLI::App* sub = root.add_subcommand("fix", "Fix Containerfiles: print the fixed file, a diff, or write it in place");
  sub->add_option("paths", o->paths, "Containerfiles or directories (- for stdin)")->required();
  sub->add_flag("--diff", o->diff, "Print a unified diff per file instead of the fixed text");
  sub->add_flag("--write", o->write, "Write the fixed files in place (atomically; unchanged files are not touched)");
  sub->add_flag("--check", o->check, "Exit 1 when a fix would apply; write nothing (for CI)");
  sub->add_flag("--unsafe-fixes", o->unsafe, "Also apply fixes that change what the application sees (ports, removed commands)");
  sub->add_option("--select", o->select, "Only fix these rule ids")->delimiter(',')->allow_extra_args(false);
  sub->add_option("--stdin-filename", o->stdin_filename, "Name to report for input read from stdin");
  sub->add_option("--platform", o->platform, "Platform whose base image config --resolve-bases reads (default linux/amd64)");
  o->config.add_to(*sub);
  o->registry.add_to(*sub);
  return [o]() { return run_fix(*o); };
}}};

}  // namespace
}  // namespace okd::cli
