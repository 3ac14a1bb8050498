#include "rewrite/fixer.h"

#include <algorithm>

#include "rewrite/source_edits.h"

namespace okd {
namespace {

bool edits_overlap(const Edit& a, const Edit& b) {
  if (a.begin == a.end && b.begin == b.end) return a.begin == b.begin;  // two inserts at one point
  return a.begin < b.end && b.begin < a.end;
}

}  // namespace

FixResult fix_containerfile(const std::string& path, const std::string& text, const Config& config,
                            const RegistryAliases& aliases, const FixOptions& options) {
  FixResult result;
  result.text = text;
  for (int pass = 0; pass < options.max_passes; ++pass) {
    SourceFile source(path, result.text);
    ContainerfileLint lint = lint_containerfile(source, config, aliases, options.selection);
    if (lint.parsed.has_errors()) {  // never rewrite what we cannot parse
      result.remaining = std::move(lint.diagnostics);
      return result;
    }
    // Take whole fixes, first come first served in position order; a fix whose edits touch an
    // accepted edit waits for the next pass, when it is recomputed on the new text.
    std::vector<Edit> accepted;
    std::vector<Diagnostic> applied_now;
    for (const Diagnostic& d : lint.diagnostics) {
      if (!d.fix || d.fix->edits.empty()) continue;
      if (d.fix->applicability == Applicability::Unsafe && !options.unsafe) continue;
      bool clash = std::any_of(d.fix->edits.begin(), d.fix->edits.end(), [&](const Edit& e) {
        return std::any_of(accepted.begin(), accepted.end(), [&](const Edit& a) { return edits_overlap(a, e); });
      });
      if (clash) continue;
      accepted.insert(accepted.end(), d.fix->edits.begin(), d.fix->edits.end());
      applied_now.push_back(d);
    }
    std::string next = accepted.empty() ? result.text : apply_edits(result.text, accepted);
    if (next == result.text) {
      result.remaining = std::move(lint.diagnostics);
      result.passes = pass;
      return result;
    }
    result.text = std::move(next);
    result.applied.insert(result.applied.end(), applied_now.begin(), applied_now.end());
  }
  SourceFile source(path, result.text);
  result.remaining = lint_containerfile(source, config, aliases, options.selection).diagnostics;
  result.passes = options.max_passes;
  result.converged = false;
  return result;
}

}  // namespace okd
