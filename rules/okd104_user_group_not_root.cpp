// OKD104 user-group-not-root: the final USER names a group other than 0.
#include "lint/containerfile_context.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

class UserGroupNotRootRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD104", "user-group-not-root", Severity::Warning, "The final USER sets a group other than 0",
        "OKD runs containers with a random uid whose group is 0 (root group), so images make the "
        "files the application writes owned by group 0 and group-writable. A USER with another "
        "group (USER 1001:1001) builds and tests with permissions that differ from what runs on "
        "OKD. Use group 0: USER 1001:0 (or just USER 1001).",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const BuildModel& model = ctx.model;
    if (!model.target) return;
    const Stage& target = model.stages[*model.target];
    if (!target.user || !target.user->value.known || !target.user->group) return;
    const UserSetting& user = *target.user;
    const std::string& group = *user.group;
    // A root user is OKD101's finding, and its fix drops the group.
    if (group.empty() || is_root_user(group) || is_root_user(user.user)) return;

    Diagnostic d;
    d.message = "USER " + user.value.value + " runs with group " + group +
                ": OKD runs containers in group 0, so files must belong to group 0";
    d.hint = "use group 0: USER " + user.user + ":0, and chgrp -R 0 the directories the application writes";
    d.range = user.range;
    UserParts parts = user_parts(ctx, *user.instruction);
    if (parts.group && parts.group->text == group) {
      d.fix = Fix{"use group 0", Applicability::Safe, {Edit{parts.group->begin, parts.group->end, "0"}}};
    }
    sink.report(std::move(d));
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_user_group(ctx, sink);
  }
};

OKD_REGISTER_RULE(UserGroupNotRootRule);

}  // namespace
}  // namespace okd
