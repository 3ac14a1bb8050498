// Running a helper program (git) and collecting what it prints.
#pragma once

#include <string>
#include <vector>

namespace okd::git {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when the process was killed
  std::string out;
  std::string err;
};

// Runs argv[0] (searched on PATH) with stdin from /dev/null and returns its exit code, stdout and
// stderr. Throws std::runtime_error when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace okd::git
