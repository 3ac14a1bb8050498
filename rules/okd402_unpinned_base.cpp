// OKD402 unpinned-base: a base image without a tag, or tagged :latest.
#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/rule.h"

namespace okd {
namespace {

class UnpinnedBaseRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD402", "unpinned-base", Severity::Info, "A base image has no tag or uses :latest",
        "An image without a tag means :latest, which moves whenever the publisher pushes: the same "
        "Containerfile builds a different image tomorrow, a rebuild for a security fix can pull in "
        "a new major version, and OKD's image change triggers fire unexpectedly. Pin a version tag "
        "(nginx:1.27) or, for fully reproducible builds, a digest (nginx@sha256:...). okdlint does "
        "not choose the tag for you.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    for (const Stage& stage : ctx.model.stages) {
      if (!stage.from || stage.parent) continue;
      if (stage.surely_untagged()) {  // `FROM ${REGISTRY}/ubuntu`: no tag whatever REGISTRY holds
        std::string_view raw = ctx.text(stage.base_range);
        Diagnostic d;
        d.message = "base image " + std::string(raw) + " has no tag, so it means :latest";
        d.hint = "pin a version tag (" + std::string(raw) + ":<version>) or a digest (" + std::string(raw) + "@sha256:...)";
        d.range = stage.base_range;
        sink.report(std::move(d));
        continue;
      }
      if (!stage.base.known || stage.base.value.empty()) continue;
      std::optional<PulledImage> image = pulled_image(ctx, stage.base.value);
      if (!image || image->ref.digest) continue;
      if (image->ref.tag && *image->ref.tag != "latest") continue;
      std::string_view raw = ctx.text(stage.base_range);
      std::string shown(raw);
      if (raw != stage.base.value) shown += " (= " + stage.base.value + ")";
      Diagnostic d;
      d.message = image->ref.tag ? "base image " + shown + " uses the moving :latest tag"
                                 : "base image " + shown + " has no tag, so it means :latest";
      std::string repo = stage.base.value.substr(0, stage.base.value.rfind(':') == std::string::npos ||
                                                            image->ref.tag == std::nullopt
                                                        ? stage.base.value.size()
                                                        : stage.base.value.rfind(':'));
      d.hint = "pin a version tag (" + repo + ":<version>) or a digest (" + repo + "@sha256:...)";
      d.range = stage.base_range;
      sink.report(std::move(d));
    }
  }
};

OKD_REGISTER_RULE(UnpinnedBaseRule);

}  // namespace
}  // namespace okd
