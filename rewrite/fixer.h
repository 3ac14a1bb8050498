// `okdlint fix` on one Containerfile: lint, take the fixes the rules proposed, apply the ones that
// do not overlap, re-parse and re-lint, and repeat until nothing more applies (bounded), so a fix
// that enables another converges. Bytes outside the edits never change.
#pragma once

#include <string>
#include <vector>

#include "lint/config.h"
#include "lint/diagnostic.h"
#include "lint/reference.h"
#include "rules/engine.h"

namespace okd {

struct FixOptions {
  bool unsafe = false;  // also apply fixes marked unsafe
  RuleSelection selection;
  int max_passes = 8;
};

struct FixResult {
  std::string text;                   // the fixed text (== input when nothing applied)
  std::vector<Diagnostic> applied;    // diagnostics whose fix was applied, as found in each pass
  std::vector<Diagnostic> remaining;  // what the final re-lint still reports
  int passes = 0;
  bool converged = true;              // false when max_passes ran out with fixes still applying
};

FixResult fix_containerfile(const std::string& path, const std::string& text, const Config& config,
                            const RegistryAliases& aliases, const FixOptions& options);

}  // namespace okd
