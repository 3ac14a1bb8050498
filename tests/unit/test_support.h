// Small helpers shared by the unit tests (each test is its own executable; this is header-only).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace okd::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace okd::test
