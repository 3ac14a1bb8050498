// Runs the image checks of the registered rules over a loaded image.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lint/config.h"
#include "lint/diagnostic.h"
#include "lint/image/image.h"
#include "rules/engine.h"

namespace okd {

// Everything a rule's check_image may read.
struct ImageContext {
  const LoadedImage& image;
  const Config& config;
  std::string file;  // the input path as the user gave it: the reported `file`
};

struct ImageLintOptions {
  std::string platform = "linux/amd64";
  bool all_platforms = false;
  bool progress = false;  // draw a progress bar on stderr
};

// Loads the image(s) at path and lints them. display_name is what reports show as the file.
// Throws ImageError for unreadable or hostile input.
std::vector<Diagnostic> lint_image_input(const std::string& path, const std::string& display_name, const Config& config,
                                         const RuleSelection& selection, const ImageLintOptions& options);

std::vector<Diagnostic> lint_loaded_image(const LoadedImage& image, const std::string& display_name,
                                          const Config& config, const RuleSelection& selection);

}  // namespace okd
