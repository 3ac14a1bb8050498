// Runs the registered rules over one input and applies what the user asked for: selected and
// ignored rules, severity overrides, inline `# okdlint ignore=` pragmas. The result is sorted.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lint/config.h"
#include "lint/diagnostic.h"
#include "lint/dockerfile.h"
#include "lint/model.h"
#include "lint/reference.h"
#include "lint/source.h"
#include "rules/rule.h"

namespace okd {

// Collects one rule's diagnostics, filling in its id, name, default severity and the file.
class RuleSink : public DiagnosticSink {
 public:
  RuleSink(const Rule& rule, const std::string& file, std::vector<Diagnostic>& out) : rule_(rule), file_(file), out_(out) {}
  void report(Diagnostic diagnostic) override;

 private:
  const Rule& rule_;
  const std::string& file_;
  std::vector<Diagnostic>& out_;
};

struct RuleSelection {
  std::set<std::string> select;  // empty = all enabled rules
  std::set<std::string> ignore;  // on top of config.ignore
};

struct ContainerfileLint {
  ParsedDockerfile parsed;
  BuildModel model;
  std::vector<Diagnostic> diagnostics;
};

// The base images a Containerfile's stages build on, as written after ARG expansion (stages FROM
// another stage, FROM scratch and bases that depend on unknown variables left out), in order,
// each once: what --resolve-bases looks up.
std::vector<std::string> containerfile_bases(const SourceFile& source, const Config& config);

ContainerfileLint lint_containerfile(const SourceFile& source, const Config& config, const RegistryAliases& aliases,
                                     const RuleSelection& selection = {});

// Whether a rule runs under this config and selection (enabled by default or by profile, not
// ignored, severity not "off").
bool rule_enabled(const RuleInfo& info, const Config& config, const RuleSelection& selection);

// Applies severity overrides and the selection to raw rule output; sorts by position.
void finalize_diagnostics(std::vector<Diagnostic>& diagnostics, const Config& config, const RuleSelection& selection);

// Inline pragmas in comments: `# okdlint ignore=OKD101,OKD201 -- reason` (next instruction) and
// `# okdlint global ignore=OKD401` (whole file). Ids or names, any case; rules holds canonical ids.
struct InlineIgnore {
  std::set<std::string> rules;
  bool global = false;
  uint32_t first_line = 0;  // lines the ignore covers (the next instruction), when not global
  uint32_t last_line = 0;
  Range range;              // the comment
};
// A comment that starts like a pragma but is malformed, or names an unknown rule, is an OKD003
// diagnostic in problems (when given) instead of an ignore.
std::vector<InlineIgnore> inline_ignores(const ParsedDockerfile& parsed, const std::string& file = "",
                                         std::vector<Diagnostic>* problems = nullptr);

}  // namespace okd
