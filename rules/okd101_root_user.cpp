// OKD101 root-user: the final image's effective USER is root.
#include "lint/containerfile_context.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

class RootUserRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD101", "root-user", Severity::Error, "The final stage runs as root",
        "OKD's restricted SCC runs every container with an arbitrary, non-zero uid, and pods that "
        "declare runAsNonRoot refuse an image whose USER is root. An image built to run as root "
        "either fails to start or fails later when it writes where only root may write. Set a "
        "numeric non-root USER (e.g. USER 1001) after the last step that needs root, and make the "
        "files the application writes owned by group 0 and group-writable (chgrp -R 0 DIR && "
        "chmod -R g=u DIR), because the random uid always runs in group 0.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const BuildModel& model = ctx.model;
    if (!model.target) return;
    const Stage& target = model.stages[*model.target];
    if (!target.user || !target.user->value.known) return;
    if (target.windows()) return;
    const UserSetting& user = *target.user;
    // `USER ${UID}` where UID is not in scope expands to "": the image's config.User is then
    // empty, and an empty user is root.
    const bool empty = user.value.value.empty();
    if (!empty && !is_root_user(user.user)) return;

    std::string written(ctx.text(user.range));
    std::string shown = written == user.value.value ? written : written + " = " + user.value.value;
    if (empty) shown = written + " expands to an empty user, which is root";
    std::string uid = std::to_string(uid_for_fix(ctx));

    Diagnostic d;
    d.message = "final stage runs as root (USER " + shown + ")";
    d.hint = "set a numeric non-root user such as USER " + uid +
             " after the steps that need root; OKD runs the container with a random uid in group 0";
    if (empty && !user.value.referenced.empty()) {
      d.hint += "; an ARG declared before the first FROM is visible only in FROM lines: declare ARG " +
                user.value.referenced.front() + " again in the stage to use it";
    }
    d.range = user.range;

    // A later step that needs root keeps `USER root` where it is: a new USER goes after it.
    Fix fix;
    fix.applicability = Applicability::Safe;
    std::optional<Edit> insert = insert_user_edit(ctx, user.instruction, "USER " + uid);
    // A USER in a parent stage may serve other stages built FROM it: leave it and set the user in
    // the final stage instead.
    if (!insert && model.stage_of(user.instruction) != &target) {
      insert = insert_line_after(ctx.source, *target.from, "USER " + uid);
    }
    if (insert) {
      fix.description = "add USER " + uid + " to the final stage after the last step that needs root";
      fix.edits.push_back(*insert);
    } else {
      UserParts parts = user_parts(ctx, *user.instruction);
      fix.description = "set USER " + uid;
      if (parts.whole) {
        fix.edits.push_back(Edit{parts.whole->begin, parts.whole->end, uid});
      } else if (parts.user) {
        fix.edits.push_back(Edit{parts.user->begin, parts.user->end, uid});
      } else {
        fix.edits.push_back(replace_range(user.range, uid));
      }
    }
    if (std::optional<std::string> risk = user_switch_risk(ctx)) {
      fix.applicability = Applicability::Unsafe;
      fix.description += " (unsafe: " + *risk + ")";
      d.hint += "; " + *risk + ": change that too";
    }
    d.fix = std::move(fix);
    sink.report(std::move(d));
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_root_user(ctx, sink);
  }
};

OKD_REGISTER_RULE(RootUserRule);

}  // namespace
}  // namespace okd
