// Parse and lint throughput on a corpus built from the test data (BuildKit's conformance files,
// the annotated rule tests, examples/). Prints figures; asserts nothing about time.
//   containerfile_bench [--files N] [--rounds R] [--write-corpus DIR]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lint/dockerfile.h"
#include "lint/model.h"
#include "rules/engine.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> load_seed_files() {
  std::vector<std::string> texts;
  for (const char* dir : {"tests/data", "examples"}) {
    fs::path root = fs::path(OKDLINT_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::string name = e.path().filename().string();
      bool containerfile = name == "Dockerfile" || name == "Containerfile" || e.path().extension() == ".Containerfile";
      if (!containerfile) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.push_back(ss.str());
    }
  }
  return texts;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 400;
  int rounds = 20;
  std::string write_corpus;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--files") && i + 1 < argc) files = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--write-corpus") && i + 1 < argc) write_corpus = argv[++i];
  }
  std::vector<std::string> seeds = load_seed_files();
  if (seeds.empty()) {
    std::fprintf(stderr, "no seed Containerfiles found under %s\n", OKDLINT_SOURCE_DIR);
    return 2;
  }
  // The corpus: the seeds cycled, each copy made distinct by a leading comment so no cache helps.
  std::vector<std::string> corpus;
  size_t bytes = 0;
  for (size_t i = 0; i < files; ++i) {
    corpus.push_back("# corpus file " + std::to_string(i) + "\n" + seeds[i % seeds.size()]);
    bytes += corpus.back().size();
  }
  if (!write_corpus.empty()) {
    fs::create_directories(write_corpus);
    for (size_t i = 0; i < corpus.size(); ++i) {
      std::ofstream(fs::path(write_corpus) / ("f" + std::to_string(i) + ".Dockerfile"), std::ios::binary) << corpus[i];
    }
  }
  std::printf("corpus: %zu files from %zu seeds, %.2f MB, %d rounds\n", corpus.size(), seeds.size(), bytes / 1e6, rounds);

  size_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& text : corpus) {
      okd::SourceFile source("bench", text);
      sink += okd::parse_dockerfile(source).instructions.size();
    }
  }
  double parse_s = seconds_since(t0);
  std::printf("parse: %.1f MB/s, %.0f files/s\n", bytes * rounds / parse_s / 1e6, corpus.size() * rounds / parse_s);

  okd::Config config;
  okd::RegistryAliases aliases;
  t0 = std::chrono::steady_clock::now();
  size_t findings = 0;
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& text : corpus) {
      okd::SourceFile source("bench", text);
      findings += okd::lint_containerfile(source, config, aliases).diagnostics.size();
    }
  }
  double lint_s = seconds_since(t0);
  std::printf("lint (parse+model+all rules): %.1f MB/s, %.0f files/s, %.1f us/file, %zu findings/round\n",
              bytes * rounds / lint_s / 1e6, corpus.size() * rounds / lint_s, lint_s / (corpus.size() * rounds) * 1e6,
              findings / static_cast<size_t>(rounds));
  return sink == 0 ? 1 : 0;
}
