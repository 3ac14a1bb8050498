// OKD102 no-user: the final image never sets USER, so it runs as the base image's user.
#include "lint/containerfile_context.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

class NoUserRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD102", "no-user", Severity::Warning, "The final stage never sets USER",
        "Without a USER instruction the image runs as whatever user its base image declares, which "
        "is root for most bases (Debian, Alpine, UBI, nginx, ...). OKD then runs it with a random "
        "uid anyway, and pods with runAsNonRoot refuse it. Set a numeric non-root USER (e.g. "
        "USER 1001) in the final stage after the steps that need root, and give the files the "
        "application writes to group 0 with group write permission. A base known to run as a "
        "non-root user (read from its registry with --resolve-bases, stated under bases: in "
        ".okdlint.yaml, or a well-known family such as distroless :nonroot) needs no USER.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const BuildModel& model = ctx.model;
    if (!model.target) return;
    const Stage& target = model.stages[*model.target];
    if (target.user || !target.from) return;
    // Windows images have no POSIX uid; a base known to run as non-root needs no USER.
    if (target.windows() || target.facts.runs_non_root()) return;
    std::string uid = std::to_string(uid_for_fix(ctx));

    Diagnostic d;
    d.message = "final stage never sets USER, so it runs as the user of base image " + final_base_image(ctx);
    d.hint = "add USER " + uid + " (a numeric uid) to the final stage after the steps that need root";
    if (target.facts.user) {
      d.message += " (" + (is_root_user(*target.facts.user) ? std::string("root") : *target.facts.user) + ", " +
                   facts_origin(target.facts) + ")";
    } else {
      d.message += " (root for most images; the base was not resolved)";
      d.hint += ctx.config.resolve_bases == BaseResolution::Off
                    ? "; or run with --resolve-bases to read the base's user from its registry"
                    : "; or state the base's user under bases: in .okdlint.yaml (its registry could not be read)";
    }
    d.range = target.base_range;
    if (std::optional<Edit> insert = insert_user_edit(ctx, nullptr, "USER " + uid)) {
      std::optional<std::string> risk = user_switch_risk(ctx);
      d.fix = Fix{"add USER " + uid + " after the last step that needs root" + (risk ? " (unsafe: " + *risk + ")" : ""),
                  risk ? Applicability::Unsafe : Applicability::Safe, {*insert}};
      if (risk) d.hint += "; " + *risk + ": change that too";
    }
    sink.report(std::move(d));
  }
};

OKD_REGISTER_RULE(NoUserRule);

}  // namespace
}  // namespace okd
