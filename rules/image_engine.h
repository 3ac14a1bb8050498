// Runs the image checks of the registered rules over a loaded image.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lint/config.h"
#include "lint/diagnostic.h"
#include "lint/image/image.h"
#include "lint/source.h"
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
  // The Containerfile the image was built from: config findings (USER, EXPOSE) are reported at
  // the instruction that caused them.
  std::optional<std::string> containerfile;
  // A registry image (docker://…) instead of the path: layers are streamed from it.
  RemoteSource* remote = nullptr;
};

// Moves config findings of OKD101/103/104 (config.User) and OKD201 (config.ExposedPorts) to the
// final stage's USER / EXPOSE instruction of the Containerfile that built the image, when its
// history or its config value shows that instruction caused them.
void map_to_containerfile(std::vector<Diagnostic>& diagnostics, const LoadedImage& image,
                          const SourceFile& containerfile);

// Loads the image(s) at path and lints them. display_name is what reports show as the file.
// Throws ImageError for unreadable or hostile input.
std::vector<Diagnostic> lint_image_input(const std::string& path, const std::string& display_name, const Config& config,
                                         const RuleSelection& selection, const ImageLintOptions& options);

std::vector<Diagnostic> lint_loaded_image(const LoadedImage& image, const std::string& display_name,
                                          const Config& config, const RuleSelection& selection);

}  // namespace okd
