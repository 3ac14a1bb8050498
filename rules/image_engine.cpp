#include "rules/image_engine.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "lint/dockerfile.h"
#include "rules/image_support.h"
#include "rules/rule.h"

namespace okd {
namespace {


// A one-line progress bar on stderr, redrawn in place; cleared when the scan ends.
void draw_progress(uint64_t done, uint64_t total, size_t layers_done, size_t layers_total) {
  int percent = total ? static_cast<int>(done * 100 / total) : 0;
  int filled = percent / 5;
  std::fprintf(stderr, "\r[%-20.*s] %3d%%  %llu/%llu MB  layers %zu/%zu", filled, "####################", percent,
               static_cast<unsigned long long>(done >> 20), static_cast<unsigned long long>(total >> 20), layers_done,
               layers_total);
  if (layers_done == layers_total) std::fprintf(stderr, "\r%*s\r", 60, "");
  std::fflush(stderr);
}

// Whether a history entry's created_by is this instruction: "USER root", "/bin/sh -c #(nop) USER
// root" (docker build) or "|1 A=b /bin/sh -c #(nop)  USER root".
bool history_names(const ImageConfig& config, std::string_view keyword, std::string_view value) {
  for (const ImageConfig::History& h : config.history) {
    std::string_view created = h.created_by;
    if (size_t nop = created.find("#(nop)"); nop != std::string_view::npos) created = created.substr(nop + 6);
    while (!created.empty() && created.front() == ' ') created.remove_prefix(1);
    if (created.size() <= keyword.size() || created.substr(0, keyword.size()) != keyword || created[keyword.size()] != ' ') {
      continue;
    }
    std::string_view rest = created.substr(keyword.size() + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '"')) rest.remove_prefix(1);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '"')) rest.remove_suffix(1);
    if (rest == value) return true;
  }
  return false;
}

}  // namespace

void map_to_containerfile(std::vector<Diagnostic>& diagnostics, const LoadedImage& image,
                          const SourceFile& containerfile) {
  ParsedDockerfile parsed = parse_dockerfile(containerfile);
  // The final stage: everything after the last FROM.
  size_t first = 0;
  for (size_t i = 0; i < parsed.instructions.size(); ++i) {
    if (parsed.instructions[i].cmd == "from") first = i + 1;
  }
  const Instruction* last_user = nullptr;
  std::vector<const Word*> expose_words;
  for (size_t i = first; i < parsed.instructions.size(); ++i) {
    const Instruction& ins = parsed.instructions[i];
    if (ins.cmd == "user" && !ins.args.empty()) last_user = &ins;
    if (ins.cmd == "expose") {
      for (const Word& w : ins.args) expose_words.push_back(&w);
    }
  }
  const std::string& config_user = image.config.user;
  bool user_mapped = last_user && !config_user.empty() &&
                     (last_user->args[0].value == config_user || history_names(image.config, "USER", last_user->args[0].value));
  auto found_in_image = [&](Diagnostic& d, Range range) {
    d.message += " (found in the image " + d.file + ")";
    d.file = containerfile.path();
    d.range = range;
  };
  for (Diagnostic& d : diagnostics) {
    if (d.logical_location == "config.User" && user_mapped &&
        (d.rule_id == "OKD101" || d.rule_id == "OKD103" || d.rule_id == "OKD104")) {
      found_in_image(d, last_user->args[0].range);
    } else if (d.logical_location == "config.ExposedPorts" && d.rule_id == "OKD201") {
      for (const std::string& exposed : image.config.exposed_ports) {
        if (d.message.find("port " + exposed + ",") == std::string::npos) continue;
        std::string number = exposed.substr(0, exposed.find('/'));
        for (const Word* w : expose_words) {
          if (w->value == exposed || w->value == number) {
            found_in_image(d, w->range);
            break;
          }
        }
        break;
      }
    }
  }
}

std::vector<Diagnostic> lint_loaded_image(const LoadedImage& image, const std::string& display_name,
                                          const Config& config, const RuleSelection& selection) {
  std::vector<Diagnostic> out;
  ImageContext context{image, config, display_name};
  for (const Rule* rule : all_rules()) {
    if (!rule_enabled(rule->info(), config, selection)) continue;
    RuleSink sink(*rule, display_name, out);
    rule->check_image(context, sink);
  }
  finalize_diagnostics(out, config, selection);
  return out;
}

std::vector<Diagnostic> lint_image_input(const std::string& path, const std::string& display_name, const Config& config,
                                         const RuleSelection& selection, const ImageLintOptions& options) {
  ImageLoadOptions load;
  load.platform = options.platform;
  load.all_platforms = options.all_platforms;
  if (options.progress) load.progress = draw_progress;
  std::optional<SourceFile> containerfile;
  if (options.containerfile) {
    std::ifstream in(*options.containerfile, std::ios::binary);
    if (!in) throw ImageError("--containerfile " + *options.containerfile + ": cannot read it");
    std::ostringstream text;
    text << in.rdbuf();
    containerfile.emplace(*options.containerfile, text.str());
  }
  std::vector<Diagnostic> all;
  std::vector<LoadedImage> images = options.remote ? load_remote_images(*options.remote, load) : load_images(path, load);
  for (const LoadedImage& image : images) {
    std::vector<Diagnostic> found = lint_loaded_image(image, display_name, config, selection);
    if (containerfile) map_to_containerfile(found, image, *containerfile);
    if (images.size() > 1) {
      for (Diagnostic& d : found) d.message = "[" + image.platform + "] " + d.message;
    }
    all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return all;
}

}  // namespace okd
