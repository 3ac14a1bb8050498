#include "cli/lint.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "cli/base_lookup.h"
#include "lint/image/image.h"
#include "lint/report/reporter.h"
#include "registry/client.h"
#include "okdlint_version.h"
#include "rules/engine.h"
#include "rules/image_engine.h"
#include "rules/rule.h"
#include "git/repository.h"

namespace fs = std::filesystem;

namespace okd::cli {
namespace {

// stdin is spooled to a temporary file: an image's manifest usually comes after its blobs, and
// the content decides whether it is an image or a Containerfile.
class SpooledStdin {
 public:
  SpooledStdin() {
    std::string tmpl = (fs::temp_directory_path() / "okdlint-stdin-XXXXXX").string();
    int fd = mkstemp(tmpl.data());
    if (fd < 0) throw InputError("-: cannot create a temporary file for stdin");
    path_ = tmpl;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
      if (write(fd, buf, n) != static_cast<ssize_t>(n)) {
        close(fd);
        throw InputError("-: cannot spool stdin to " + path_);
      }
    }
    close(fd);
  }
  ~SpooledStdin() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Changed files as canonical paths, to compare with the inputs.
std::set<std::string> changed_files(const std::string& ref) {
  std::set<std::string> out;
  for (const std::string& path : git::files_changed_since(ref)) out.insert(fs::weakly_canonical(path).string());
  return out;
}

// Appends the Markdown summary (GitHub's step summary file is shared by every step of the job).
// On GitHub, findings link to their line at the commit being checked.
void write_summary_file(const std::string& file, ReportInput& report) {
  const char* server = std::getenv("GITHUB_SERVER_URL");
  const char* repository = std::getenv("GITHUB_REPOSITORY");
  const char* sha = std::getenv("GITHUB_SHA");
  if (server && *server && repository && *repository && sha && *sha) {
    report.file_url_prefix = std::string(server) + "/" + repository + "/blob/" + sha + "/";
  }
  std::ofstream out(file, std::ios::app);
  if (!out) throw InputError(located(file, 0, "--summary: cannot open it for writing"));
  write_summary(report, out);
  out.flush();
  if (!out) throw InputError(located(file, 0, "--summary: write failed"));
}

}  // namespace

void LintOptions::add_to(CLI::App& app) {
  app.add_option("paths", paths, "Containerfiles, directories, image archives, OCI layouts, config JSON, or - for stdin");
  app.add_option("-f,--format", format, "Output: tty | json | sarif | github | gitlab | checkstyle")
      ->check(CLI::IsMember({"tty", "json", "sarif", "github", "gitlab", "checkstyle"}));
  app.add_option("--stdin-filename", stdin_filename, "Name to report for input read from stdin");
  app.add_option("--select", select, "Only these rule ids (repeatable, or comma separated)")->delimiter(',')->allow_extra_args(false);
  app.add_option("--changed-since", changed_since, "Only lint files changed since this git ref");
  app.add_option("--platform", platform, "Image platform to lint in multi-platform images (os/arch[/variant])");
  app.add_flag("--all-platforms", all_platforms, "Lint every platform of a multi-platform image");
  app.add_option("--containerfile", containerfile,
                 "For image inputs: the Containerfile they were built from, to report USER/EXPOSE findings at its lines");
  app.add_option("--color", color, "Colour in tty output: auto (a terminal without NO_COLOR) | always | never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-q,--quiet", quiet, "Print the findings only: no summary line, no notes");
  app.add_flag("--statistics", statistics, "Print the number of findings per rule instead of the findings");
  app.add_option("--root", root,
                 "Report paths relative to this directory (default: the git repository around the current directory)");
  app.add_option("--summary", summary,
                 "Also append a Markdown summary (counts per rule, first findings) to this file, e.g. $GITHUB_STEP_SUMMARY");
  config.add_to(app);
  registry.add_to(app);
}

int run_lint(const LintOptions& options) {
  auto format = parse_report_format(options.format);
  if (!format) throw InputError("unknown format '" + options.format + "'");
  // One unreadable input does not hide the findings of the others: each failure is one line on
  // stderr, the rest is linted and reported, and the exit code is 2.
  bool input_failed = false;
  auto input_error = [&](const std::string& message) {
    print_error(message);
    input_failed = true;
  };
  std::vector<std::string> inputs = expand_inputs(options.paths, input_error, options.quiet);
  if (options.changed_since) {
    std::set<std::string> changed = changed_files(*options.changed_since);
    std::erase_if(inputs, [&](const std::string& p) { return p != "-" && !changed.count(fs::weakly_canonical(p).string()); });
  }
  RuleSelection selection;
  for (const std::string& id : options.select) selection.select.insert(rule_id_argument("--select", id));

  RegistryAliases aliases = options.config.registry_aliases();
  std::vector<std::unique_ptr<SourceFile>> sources;
  std::map<std::string, const SourceFile*> source_by_name;
  ReportInput report;
  report.rules = all_rule_infos();
  report.tool_version = OKDLINT_VERSION;
  bool fail = false;
  const fs::path root = report_root(options.root);
  std::string containerfile_display;
  if (options.containerfile) {  // image findings mapped to it are shown with their source line
    containerfile_display = display_path(*options.containerfile, root);
    sources.push_back(std::make_unique<SourceFile>(
        containerfile_display, read_containerfile(*options.containerfile, containerfile_display, "lint --containerfile")));
    source_by_name[containerfile_display] = sources.back().get();
  }

  BaseLookup base_lookup(options.registry, options.platform);
  for (const std::string& input : inputs) try {
    std::unique_ptr<SpooledStdin> spooled;
    std::string path = input;
    std::string display = display_path(input, root);
    std::string config_for = input;
    if (input == "-") {
      spooled = std::make_unique<SpooledStdin>();
      path = spooled->path();
      config_for = options.stdin_filename.value_or("-");
      display = options.stdin_filename ? display_path(*options.stdin_filename, root) : "-";
    }
    const bool remote = registry::is_remote_reference(input);
    // A registry image's configuration comes from the working directory, as for stdin.
    Config config = options.config.load_for(remote ? "-" : config_for);
    std::vector<Diagnostic> found;
    if (remote) {
      std::string error;
      auto ref = registry::parse_remote_reference(input, &error);
      if (!ref) throw InputError(located(input, 0, "not an image reference: " + error));
      registry::Client client(ref->domain, options.registry.client_options());
      registry::RegistryImage image(client, *ref);
      ImageLintOptions image_options;
      image_options.platform = options.platform;
      image_options.all_platforms = options.all_platforms;
      image_options.progress = stderr_is_terminal();
      image_options.containerfile = options.containerfile;
      image_options.remote = &image;
      try {
        found = lint_image_input(input, display, config, selection, image_options);
      } catch (const ImageError& e) {
        throw InputError(located(display, 0, e.what()));
      }
    } else if (classify(path, display).kind == InputKind::Image) {
      ImageLintOptions image_options;
      image_options.platform = options.platform;
      image_options.all_platforms = options.all_platforms;
      image_options.progress = stderr_is_terminal();
      image_options.containerfile = options.containerfile;
      try {
        found = lint_image_input(path, display, config, selection, image_options);
      } catch (const ImageError& e) {
        throw InputError(located(display, 0, e.what()));
      }
      for (Diagnostic& d : found) {
        if (options.containerfile && d.file == *options.containerfile) d.file = containerfile_display;
      }
    } else {
      auto source = std::make_unique<SourceFile>(display, read_containerfile(path, display, "lint"));
      base_lookup.apply(*source, config);
      ContainerfileLint result = lint_containerfile(*source, config, aliases, selection);
      if (!result.model.error.empty()) throw InputError(located(display, 0, result.model.error));
      found = std::move(result.diagnostics);
      source_by_name[display] = source.get();
      sources.push_back(std::move(source));
    }
    for (const Diagnostic& d : found) fail = fail || config.fails(d.severity);
    report.files.push_back(display);
    if (report.diagnostics.empty()) {
      report.diagnostics = std::move(found);
    } else {
      report.diagnostics.insert(report.diagnostics.end(), std::make_move_iterator(found.begin()),
                                std::make_move_iterator(found.end()));
    }
  } catch (const InputError& e) {
    input_error(e.what());
  }

  report.source_for = [&](const std::string& file) -> const SourceFile* {
    auto it = source_by_name.find(file);
    return it == source_by_name.end() ? nullptr : it->second;
  };
  report.color = *format == ReportFormat::Tty &&
                 (options.color == "always" || (options.color == "auto" && color_wanted(stdout_is_terminal())));
  report.quiet = options.quiet;
  if (options.statistics) {
    write_statistics(report, std::cout);
  } else {
    write_report(*format, report, std::cout);
  }
  std::cout.flush();
  if (options.summary) write_summary_file(*options.summary, report);
  if (input_failed) return kExitError;
  return fail ? kExitFindings : kExitClean;
}

}  // namespace okd::cli
