// OKD103 non-numeric-user: the final USER is a name, which runAsNonRoot cannot check.
#include "lint/containerfile_context.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

#include <cstdint>

namespace okd {
namespace {

class NonNumericUserRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD103", "non-numeric-user", Severity::Warning, "The final USER is a name, not a numeric uid",
        "Kubernetes checks runAsNonRoot against the image's USER without reading /etc/passwd: a name "
        "such as `app` cannot be verified, so the kubelet refuses to start the pod (\"image has "
        "non-numeric user, cannot verify user is non-root\"). Use the numeric uid the name stands "
        "for (USER 1001, or USER 1001:0 to keep group 0).",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const BuildModel& model = ctx.model;
    if (!model.target) return;
    const Stage& target = model.stages[*model.target];
    if (!target.user || !target.user->value.known) return;
    const UserSetting& user = *target.user;
    // root is OKD101's finding; a number is what this rule asks for.
    if (user.user.empty() || parse_uid(user.user) || is_root_user(user.user)) return;

    std::optional<uint32_t> uid = created_uid(model, user.user);
    Diagnostic d;
    d.message = "USER " + user.value.value + " names a user instead of a numeric uid: runAsNonRoot cannot verify it";
    if (uid) d.message += " (this file creates " + user.user + " with uid " + std::to_string(*uid) + ")";
    d.hint = uid ? "use the uid: USER " + std::to_string(*uid) + (user.group ? ":0" : "")
                 : "create the user with a fixed uid (useradd -u 1001 " + user.user + ") and use USER 1001";
    d.range = user.range;

    if (uid && *uid != 0) {
      std::string number = std::to_string(*uid);
      Fix fix{"use the numeric uid " + number + " of " + user.user, Applicability::Safe, {}};
      std::string_view written = ctx.text(user.range);
      UserParts parts = user_parts(ctx, *user.instruction);
      bool in_word = parts.user && parts.user->begin >= user.range.begin.offset && parts.user->end <= user.range.end.offset;
      if (in_word && parts.user->text == user.user) {
        fix.edits.push_back(Edit{parts.user->begin, parts.user->end, number});
        // `app:root` means group 0: say it with the number too.
        if (parts.group && parts.group->text == "root") fix.edits.push_back(Edit{parts.group->begin, parts.group->end, "0"});
      } else if (written.find_first_of("\"'") == std::string_view::npos) {
        // The name comes from a variable that may also feed useradd: rewrite the USER word, not
        // the definition.
        std::string group = user.group ? (*user.group == "root" ? "0" : *user.group) : "";
        fix.edits.push_back(replace_range(user.range, number + (user.group ? ":" + group : "")));
      }
      if (!fix.edits.empty()) d.fix = std::move(fix);
    }
    sink.report(std::move(d));
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_non_numeric_user(ctx, sink);
  }
};

OKD_REGISTER_RULE(NonNumericUserRule);

}  // namespace
}  // namespace okd
