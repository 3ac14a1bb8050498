#include "rewrite/fixer.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>

#include "rewrite/source_edits.h"

namespace okd {
namespace {

// A whole line inserted at the start of a line. Several of them at one point from one rule
// compose (each finding's own line, in diagnostic order: OKD302's RUN per directory); any other
// two inserts at one point clash, since another rule's line may need to come first (a RUN
// before a USER) and the next pass decides that on the new text.
bool inserts_whole_line(std::string_view text, const Edit& e) {
  return e.begin == e.end && (e.begin == 0 || text[e.begin - 1] == '\n') && e.replacement.ends_with('\n');
}

// The edits accepted so far in one pass, for an overlap test in O(log n) (a fix loop over many
// findings must not compare every pair).
class AcceptedEdits {
 public:
  explicit AcceptedEdits(std::string_view text) : text_(text) {}

  bool clashes(const Edit& e, const std::string& rule) const {
    if (e.begin == e.end) {
      if (auto at = inserts_.find(e.begin);
          at != inserts_.end() && !(!at->second.empty() && at->second == rule && inserts_whole_line(text_, e))) {
        return true;
      }
      auto it = replacements_.lower_bound(e.begin);  // a replacement strictly around the point
      return it != replacements_.begin() && std::prev(it)->second > e.begin;
    }
    auto it = replacements_.lower_bound(e.end);
    if (it != replacements_.begin() && std::prev(it)->second > e.begin) return true;
    auto insert = inserts_.upper_bound(e.begin);  // an insert strictly inside e
    return insert != inserts_.end() && insert->first < e.end;
  }

  void add(const Edit& e, const std::string& rule) {
    if (e.begin != e.end) {
      replacements_[e.begin] = e.end;
      return;
    }
    std::string composes_with = inserts_whole_line(text_, e) ? rule : "";
    auto [it, fresh] = inserts_.emplace(e.begin, composes_with);
    if (!fresh && it->second != composes_with) it->second.clear();
  }

 private:
  std::string_view text_;
  std::map<uint32_t, uint32_t> replacements_;  // begin → end, disjoint
  std::map<uint32_t, std::string> inserts_;    // point → the rule whose whole lines compose there, or ""
};

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
    AcceptedEdits accepted_index(result.text);
    std::vector<Edit> accepted;
    std::vector<Diagnostic> applied_now;
    for (const Diagnostic& d : lint.diagnostics) {
      if (!d.fix || d.fix->edits.empty()) continue;
      if (d.fix->applicability == Applicability::Unsafe && !options.unsafe) continue;
      bool clash = std::any_of(d.fix->edits.begin(), d.fix->edits.end(),
                               [&](const Edit& e) { return accepted_index.clashes(e, d.rule_id); });
      if (clash) continue;
      for (const Edit& e : d.fix->edits) accepted_index.add(e, d.rule_id);
      accepted.insert(accepted.end(), d.fix->edits.begin(), d.fix->edits.end());
      applied_now.push_back(d);
    }
    std::string next = accepted.empty() ? result.text : apply_edits(result.text, std::move(accepted));
    if (next == result.text) {
      result.remaining = std::move(lint.diagnostics);
      result.passes = pass;
      return result;
    }
    result.text = std::move(next);
    std::move(applied_now.begin(), applied_now.end(), std::back_inserter(result.applied));
  }
  SourceFile source(path, result.text);
  result.remaining = lint_containerfile(source, config, aliases, options.selection).diagnostics;
  result.passes = options.max_passes;
  result.converged = false;
  return result;
}

}  // namespace okd
