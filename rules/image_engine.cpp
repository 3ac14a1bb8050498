#include "rules/image_engine.h"

#include <cstdio>

#include "rules/rule.h"

namespace okd {
namespace {

class ImageSink : public DiagnosticSink {
 public:
  ImageSink(const Rule& rule, const std::string& file, std::vector<Diagnostic>& out)
      : rule_(rule), file_(file), out_(out) {}
  void report(Diagnostic d) override {
    const RuleInfo& info = rule_.info();
    if (d.rule_id.empty()) d.rule_id = info.id;
    if (d.rule_name.empty()) d.rule_name = info.name;
    d.severity = info.default_severity;
    if (d.file.empty()) d.file = file_;
    out_.push_back(std::move(d));
  }

 private:
  const Rule& rule_;
  const std::string& file_;
  std::vector<Diagnostic>& out_;
};

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

}  // namespace

std::vector<Diagnostic> lint_loaded_image(const LoadedImage& image, const std::string& display_name,
                                          const Config& config, const RuleSelection& selection) {
  std::vector<Diagnostic> out;
  ImageContext context{image, config, display_name};
  for (const Rule* rule : all_rules()) {
    if (!rule_enabled(rule->info(), config, selection)) continue;
    ImageSink sink(*rule, display_name, out);
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
  std::vector<Diagnostic> all;
  std::vector<LoadedImage> images = load_images(path, load);
  for (const LoadedImage& image : images) {
    std::vector<Diagnostic> found = lint_loaded_image(image, display_name, config, selection);
    if (images.size() > 1) {
      for (Diagnostic& d : found) d.message = "[" + image.platform + "] " + d.message;
    }
    all.insert(all.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return all;
}

}  // namespace okd
