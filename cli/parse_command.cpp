// `okdlint parse --dump=buildkit FILE`: the parse tree, for conformance checks and debugging.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "lint/dockerfile.h"

namespace okd::cli {
namespace {

struct ParseOptions {
  std::string file;
  std::string dump = "buildkit";
};

const CommandRegistrar kParse{{"parse", [](CLI::App& root) -> std::function<int()> {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* sub = root.add_subcommand("parse", "Print the parse tree of a Containerfile");
  sub->add_option("file", options->file, "Containerfile (- for stdin)")->required();
  sub->add_option("--dump", options->dump, "Dump format: buildkit (BuildKit's AST dump)")
      ->check(CLI::IsMember({"buildkit"}));
  return [options]() {
    std::string text = options->file == "-" ? checked_containerfile(read_stdin(), "-", "parse")
                                            : read_containerfile(options->file, options->file, "parse");
    SourceFile source(options->file, std::move(text));
    ParsedDockerfile parsed = parse_dockerfile(source);
    if (parsed.has_errors()) {
      for (const Diagnostic& d : parsed.errors) {
        if (d.severity == Severity::Error) print_error(located(source.path(), static_cast<int>(d.range.begin.line), d.message));
      }
      return kExitError;
    }
    std::cout << dump_buildkit(parsed) << "\n";
    return kExitClean;
  };
}}};

}  // namespace
}  // namespace okd::cli
