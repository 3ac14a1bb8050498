// OKD201 privileged-port: the final image EXPOSEs a port below 1024.
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
        "that; the Service and Route can still publish port 80/443 to clients.",
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
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_privileged_ports(ctx, sink);
  }
};

OKD_REGISTER_RULE(PrivilegedPortRule);

}  // namespace
}  // namespace okd
