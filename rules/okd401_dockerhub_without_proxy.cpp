// OKD401 dockerhub-without-proxy: an image pulled straight from Docker Hub instead of through the
// Harbor proxy (config.proxy).
#include <cstdint>
#include <map>
#include <tuple>

#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

bool plain(std::string_view raw) { return raw.find_first_of("$\\\"'`") == std::string_view::npos; }

// Length of a leading `$NAME` / `${NAME}` in raw, 0 when raw does not start with one.
size_t leading_reference(std::string_view raw) {
  if (raw.size() < 2 || raw[0] != '$') return 0;
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (raw[1] == '{') {
    size_t close = raw.find('}');
    if (close == std::string_view::npos || close < 3) return 0;
    for (size_t i = 2; i < close; ++i) {
      if (!name_char(raw[i])) return 0;
    }
    return close + 1;
  }
  size_t i = 1;
  while (i < raw.size() && name_char(raw[i])) ++i;
  return i > 1 ? i : 0;
}

class DockerHubWithoutProxyRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD401", "dockerhub-without-proxy", Severity::Warning,
        "An image is pulled from Docker Hub instead of through the registry proxy",
        "Docker Hub limits anonymous pulls per IP address, and an OKD cluster's builds share a few "
        "egress addresses, so direct pulls fail with 'toomanyrequests' at the worst moment. The "
        "cluster's Harbor proxy cache mirrors Docker Hub: write the image under the proxy "
        "(PROXY/library/nginx:1.27 for nginx:1.27, PROXY/bitnami/redis for bitnami/redis) in FROM, "
        "COPY --from and RUN --mount=from=. The tag and digest stay the same.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& out) const override {
    if (ctx.config.proxy.empty()) return;  // `proxy: none`: no proxy to pull through
    OwnEdits sink(ctx, out);
    for (const Stage& stage : ctx.model.stages) check_from(ctx, stage, sink);
    for (const Instruction& ins : ctx.parsed.instructions) {
      if (ins.cmd == "copy" || ins.cmd == "add") check_copy_from(ctx, ins, sink);
      if (ins.cmd == "run") check_mounts(ctx, ins, sink);
    }
  }

 private:
  // Each finding's fix is its own: when two findings would carry the same edit (two `FROM
  // $BASE_IMAGE` stages rewrite one ARG default), the first keeps it and the later ones point to it.
  class OwnEdits : public DiagnosticSink {
   public:
    OwnEdits(const ContainerfileContext& ctx, DiagnosticSink& out) : ctx_(ctx), out_(out) {}
    void report(Diagnostic d) override {
      if (d.fix) {
        bool repeated = false;
        for (const Edit& e : d.fix->edits) {
          auto [it, fresh] = taken_.emplace(std::make_tuple(e.begin, e.end, e.replacement), d.range.begin.line);
          if (!fresh) {
            repeated = true;
            d.hint += "; the fix of the finding on line " + std::to_string(it->second) + " rewrites the same " +
                      "text (line " + std::to_string(ctx_.source.range(e.begin, e.end).begin.line) + ")";
          }
        }
        if (repeated) d.fix.reset();
      }
      out_.report(std::move(d));
    }

   private:
    const ContainerfileContext& ctx_;
    DiagnosticSink& out_;
    std::map<std::tuple<uint32_t, uint32_t, std::string>, uint32_t> taken_;
  };

  static Diagnostic make(const PulledImage& image, std::string_view where, std::string_view shown) {
    Diagnostic d;
    d.message = std::string(where) + " " + std::string(shown) + " pulls " + image.hub_name +
                " from Docker Hub, not through the proxy";
    d.hint = "pull it through the proxy: " + image.proxied;
    return d;
  }

  // An untagged name outside library/ with no registry host (`sti_test/sti-fake`) is as likely an
  // image the project builds and tags locally as a Docker Hub repository; okdlint cannot confirm
  // which, and the proxied name of a local image does not exist.
  static std::optional<std::string> unconfirmed(const PulledImage& image) {
    const ImageReference& ref = image.ref;
    if (ref.tag || ref.digest || ref.explicit_domain || ref.path.starts_with("library/")) return std::nullopt;
    return ref.path + " has no tag and no registry: it may be an image built locally, which the proxy does not have";
  }

  // `tagged`: the text goes on with a tag or digest okdlint cannot expand (`redis:${V}`).
  static Fix replace_fix(const PulledImage& image, uint32_t begin, uint32_t end, std::string_view where = "",
                         bool tagged = false) {
    std::string description = "pull " + image.proxied + " through the proxy" + std::string(where);
    std::optional<std::string> doubt = tagged ? std::nullopt : unconfirmed(image);
    if (doubt) description += " (unsafe: " + *doubt + ")";
    return Fix{std::move(description), doubt ? Applicability::Unsafe : Applicability::Safe,
               {Edit{begin, end, image.proxied}}};
  }

  // A Red Hat short name: Docker would pull it from Docker Hub, podman through registries.conf.
  // Never proxied; the fully qualified name is offered as an unsafe fix (it picks one registry).
  static void report_ambiguous(const PulledImage& image, std::string_view where, Range range, uint32_t begin,
                               uint32_t end, bool editable, DiagnosticSink& sink) {
    Diagnostic d;
    d.message = std::string(where) + " " + image.ref.original +
                " is an ambiguous short name: Docker looks for it on Docker Hub, podman and OKD builds resolve "
                "it through registries.conf";
    d.hint = "write the fully qualified name: " + image.fully_qualified;
    d.range = range;
    if (editable) {
      d.fix = Fix{"write the fully qualified name " + image.fully_qualified, Applicability::Unsafe,
                  {Edit{begin, end, image.fully_qualified}}};
    }
    sink.report(std::move(d));
  }

  // `FROM node:${V}` with V unknown: the tag is unknown, the repository is not.
  void check_from_unknown_tag(const ContainerfileContext& ctx, const Stage& stage, DiagnosticSink& sink) const {
    std::optional<std::string> repo = stage.known_repository();
    if (!repo) return;
    std::optional<PulledImage> image = pulled_image(ctx, *repo);
    if (!image || !image->docker_hub) return;
    std::string_view raw = ctx.text(stage.base_range);
    Diagnostic d = make(*image, "FROM", raw);
    d.hint += raw.substr(std::min(raw.size(), repo->size()));
    d.range = stage.base_range;
    if (raw.starts_with(*repo) && raw.size() > repo->size() && (raw[repo->size()] == ':' || raw[repo->size()] == '@')) {
      const uint32_t begin = stage.base_range.begin.offset;
      d.fix = replace_fix(*image, begin, begin + static_cast<uint32_t>(repo->size()), "", true);
    }
    sink.report(std::move(d));
  }

  void check_from(const ContainerfileContext& ctx, const Stage& stage, DiagnosticSink& sink) const {
    if (!stage.from || stage.parent) return;
    if (!stage.base.known) {
      check_from_unknown_tag(ctx, stage, sink);
      return;
    }
    if (stage.base.value.empty()) return;
    std::optional<PulledImage> image = pulled_image(ctx, stage.base.value);
    if (image && image->ambiguous) {
      report_ambiguous(*image, "FROM", stage.base_range, stage.base_range.begin.offset, stage.base_range.end.offset,
                       plain(ctx.text(stage.base_range)), sink);
      return;
    }
    if (!image || !image->docker_hub) return;
    std::string_view raw = ctx.text(stage.base_range);
    std::string shown(raw);
    if (raw != stage.base.value) shown += " (= " + stage.base.value + ")";
    Diagnostic d = make(*image, "FROM", shown);
    d.range = stage.base_range;
    const uint32_t begin = stage.base_range.begin.offset, end = stage.base_range.end.offset;
    if (plain(raw)) {
      d.fix = replace_fix(*image, begin, end);
    } else if (size_t ref = leading_reference(raw); ref && (ref == raw.size() || raw[ref] == ':' || raw[ref] == '@')) {
      // `FROM $BASE` or `FROM ${IMAGE}:${TAG}`: the image name lives in the ARG default.
      std::optional<LiteralSource> def = literal_source(ctx, stage.from, begin, begin + static_cast<uint32_t>(ref));
      if (def && plain(def->text)) {
        std::optional<PulledImage> named = pulled_image(ctx, def->text);
        if (named && named->docker_hub) {
          d.fix = replace_fix(*named, def->begin, def->end, " (in the ARG default)");
        }
      }
    }
    sink.report(std::move(d));
  }

  void check_copy_from(const ContainerfileContext& ctx, const Instruction& ins, DiagnosticSink& sink) const {
    const Flag* from = ins.flag("from");
    if (!from || !from->value) return;
    Expanded value = ctx.model.expand(&ins, *from->value, ctx.parsed.escape);
    if (!value.known || names_stage(ctx.model, value.value, true)) return;
    std::optional<PulledImage> image = pulled_image(ctx, value.value);
    if (image && image->ambiguous) {
      report_ambiguous(*image, "COPY --from", from->value_range, from->value_range.begin.offset,
                       from->value_range.end.offset, plain(ctx.text(from->value_range)), sink);
      return;
    }
    if (!image || !image->docker_hub) return;
    Diagnostic d = make(*image, "COPY --from", value.value);
    d.range = from->value_range;
    std::string_view raw = ctx.text(from->value_range);
    const uint32_t begin = from->value_range.begin.offset, end = from->value_range.end.offset;
    if (plain(raw)) {
      d.fix = replace_fix(*image, begin, end);
    } else if (std::optional<LiteralSource> def = literal_source(ctx, &ins, begin, end); def && plain(def->text)) {
      // `COPY --from=$TOOLS`: the image name lives in the ARG/ENV definition.
      std::optional<PulledImage> named = pulled_image(ctx, def->text);
      if (named && named->docker_hub) d.fix = replace_fix(*named, def->begin, def->end);
    }
    sink.report(std::move(d));
  }

  // `RUN --mount=type=bind,from=IMAGE,source=/x`: the from= field of each --mount flag.
  void check_mounts(const ContainerfileContext& ctx, const Instruction& ins, DiagnosticSink& sink) const {
    for (const Flag& flag : ins.flags) {
      if (flag.name != "mount" || !flag.value) continue;
      std::string_view raw = ctx.text(flag.value_range);
      if (raw.find_first_of("\"'") != std::string_view::npos) continue;  // quoted CSV: positions would not map
      size_t pos = 0;
      while (pos <= raw.size()) {
        size_t comma = raw.find(',', pos);
        std::string_view field = raw.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (field.starts_with("from=")) {
          const uint32_t begin = flag.value_range.begin.offset + static_cast<uint32_t>(pos + 5);
          const uint32_t end = begin + static_cast<uint32_t>(field.size() - 5);
          check_mount_from(ctx, ins, field.substr(5), begin, end, sink);
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
      }
    }
  }

  void check_mount_from(const ContainerfileContext& ctx, const Instruction& ins, std::string_view raw, uint32_t begin,
                        uint32_t end, DiagnosticSink& sink) const {
    Expanded value = ctx.model.expand(&ins, raw, ctx.parsed.escape);
    if (!value.known || value.value.empty() || names_stage(ctx.model, value.value, true)) return;
    std::optional<PulledImage> image = pulled_image(ctx, value.value);
    if (!image || !image->docker_hub) return;
    Diagnostic d = make(*image, "RUN --mount", "from=" + value.value);
    d.range = ctx.source.range(begin, end);
    if (plain(raw)) d.fix = replace_fix(*image, begin, end);
    sink.report(std::move(d));
  }
};

OKD_REGISTER_RULE(DockerHubWithoutProxyRule);

}  // namespace
}  // namespace okd
