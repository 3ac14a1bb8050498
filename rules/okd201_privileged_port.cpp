// OKD201 privileged-port: the final image EXPOSEs a port below 1024.
#include <algorithm>

#include "lint/containerfile_context.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

class PrivilegedPortRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD201", "privileged-port", Severity::Error, "The final image exposes a port below 1024",
        "Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE, and OKD's restricted SCC "
        "gives a container neither: the application fails with \"permission denied\" on bind. "
        "Make the application listen on an unprivileged port (80 → 8080, 443 → 8443) and EXPOSE "
        "that; the Service and Route can still publish port 80/443 to clients. A port the base "
        "image exposes (known with --resolve-bases, from bases: in .okdlint.yaml or for well-known "
        "images such as nginx) is reported at the USER that switches to a non-root user.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    std::vector<PortSite> sites = privileged_port_sites(ctx);
    for (const PortSite& site : sites) {
      if (site.kind != PortSiteKind::Expose) continue;
      Diagnostic d;
      int moved = ctx.config.map_port(site.first);
      if (site.first == site.last) {
        d.message = site.written + ": port " + std::to_string(site.first) +
                    " is privileged (< 1024); OKD runs without root, so the application cannot bind it";
        d.hint = "listen on an unprivileged port such as " + std::to_string(moved) +
                 " and EXPOSE it; the Service can still publish " + std::to_string(site.first);
      } else {
        d.message = site.written + ": ports " + std::to_string(site.first) + "-" + std::to_string(site.last) +
                    " include privileged ports (< 1024); OKD runs without root, so the application cannot bind them";
        d.hint = "listen on unprivileged ports (>= 1024) and EXPOSE those";
      }
      d.range = site.range;
      d.fix = port_remap_fix(ctx, sites, site);
      sink.report(std::move(d));
    }
    check_base_ports(ctx, sites, sink);
  }

  // Ports the base image itself exposes (known from its registry config, `bases:` or the built-in
  // table) when the file switches to a non-root user: the base's server still listens there and
  // cannot bind it. Reported at the USER, as the file does not show the port. No fix: what listens
  // there is configured in the base.
  static void check_base_ports(const ContainerfileContext& ctx, const std::vector<PortSite>& sites, DiagnosticSink& sink) {
    const BuildModel& model = ctx.model;
    if (!model.target) return;
    const Stage& target = model.stages[*model.target];
    if (!target.user || !target.user->value.known || target.user->value.value.empty()) return;
    if (is_root_user(target.user->user) || target.windows()) return;
    for (int port : target.facts.exposed) {
      if (port < 1 || port > 1023) continue;
      bool in_file = std::any_of(sites.begin(), sites.end(), [&](const PortSite& s) {
        return s.kind == PortSiteKind::Expose && s.first <= port && port <= s.last;
      });
      if (in_file) continue;
      const std::string p = std::to_string(port);
      Diagnostic d;
      d.message = "base image " + final_base_image(ctx) + " exposes port " + p + " (" + facts_origin(target.facts) +
                  "), but the final stage runs as USER " + target.user->value.value +
                  ", which cannot bind a port below 1024";
      d.hint = "configure the base's server to listen on an unprivileged port such as " +
               std::to_string(ctx.config.map_port(port)) + " and EXPOSE that";
      d.range = target.user->range;
      sink.report(std::move(d));
    }
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_privileged_ports(ctx, sink);
  }
};

OKD_REGISTER_RULE(PrivilegedPortRule);

}  // namespace
}  // namespace okd
