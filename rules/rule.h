// A rule: static metadata plus checks for Containerfiles and/or images, and the fixes it proposes
// inside the diagnostics it emits (rules propose, the rewriter applies). One rule per file in
// rules/; each registers itself with OKD_REGISTER_RULE so adding a rule touches one file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lint/diagnostic.h"

namespace okd {

struct ContainerfileContext;  // lint/containerfile_context.h
struct ImageContext;          // rules/image_engine.h

// Collects diagnostics for one input; fills in file, rule id/name and severity from the rule.
class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void report(Diagnostic diagnostic) = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  virtual void check_containerfile(const ContainerfileContext&, DiagnosticSink&) const {}
  virtual void check_image(const ImageContext&, DiagnosticSink&) const {}
};

// All registered rules, sorted by id.
const std::vector<const Rule*>& all_rules();
const Rule* find_rule(std::string_view id_or_name);
std::vector<RuleInfo> all_rule_infos();

namespace detail {
void register_rule(std::unique_ptr<Rule> rule);
template <typename T>
struct RuleRegistrar {
  RuleRegistrar() { register_rule(std::make_unique<T>()); }
};
}  // namespace detail

#define OKD_REGISTER_RULE(Type) \
  static const ::okd::detail::RuleRegistrar<Type> okd_rule_registrar_##Type {}

}  // namespace okd
