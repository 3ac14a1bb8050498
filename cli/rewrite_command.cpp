// `okdlint rewrite IMAGE -o OUT`: append one layer that fixes what keeps the image from running
// on OKD (group 0 and g=u where the random uid must write, remapped listen ports, optionally no
// setuid/capabilities) and patch the config (numeric non-root User with group 0, ExposedPorts).
#include <cstdint>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/common.h"
#include "lint/image/image.h"
#include "rewrite/image_plan.h"
#include "registry/push.h"
#include "rewrite/image_writer.h"

namespace okd::cli {
namespace {

struct RewriteCommandOptions {
  std::string input;
  std::string output;
  std::string output_format = "oci-archive";
  std::string tag;
  std::optional<uint32_t> user;
  std::vector<std::string> port_map;
  bool unsafe = false;
  bool dry_run = false;
  std::string push;
  bool push_tls_verify = true;
  std::string platform = "linux/amd64";
  std::string mount_from;
  uint64_t chunk_size = 0;
  RegistryFlags registry;
};

int run_rewrite(const RewriteCommandOptions& o) {
  auto format = parse_image_output_format(o.output_format);
  if (!format) throw InputError("rewrite: --output-format must be oci-archive, docker-archive or oci");
  if (o.output.empty() && !o.dry_run) throw InputError("rewrite: give the output with -o OUT (or use --dry-run)");
  if (!o.push.empty() && o.dry_run) throw InputError("rewrite: --push writes and pushes; it cannot go with --dry-run");
  if (!o.push.empty() && *format == ImageOutputFormat::DockerArchive) {
    throw InputError("rewrite: --push sends an OCI image: use --output-format oci-archive (the default) or oci");
  }
  ImageRewriteOptions rewrite;
  rewrite.user = o.user;
  rewrite.unsafe_fixes = o.unsafe;
  for (const auto& text : o.port_map) {
    try {
      rewrite.port_map.push_back(parse_port_mapping(text));
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("rewrite: ") + e.what());
    }
  }
  if (o.user && *o.user == 0) throw InputError("rewrite: --user 0 is root, which OKD never runs as");

  if (o.input != "-") {  // every command agrees on what an input is
    InputClass what = classify(o.input, o.input);
    if (what.kind == InputKind::Containerfile) {
      throw InputError(o.input + ": a Containerfile, not an image: okdlint rewrite reads images (okdlint fix "
                       "edits Containerfiles)");
    }
  }
  std::vector<LoadedImage> images;
  ImagePlan plan;
  try {
    ImageLoadOptions load;
    load.platform = o.platform;
    images = load_images(o.input, load);
    if (images.size() != 1) {
      throw ImageError("holds " + std::to_string(images.size()) +
                       " images; rewrite writes one (choose a platform with --platform)");
    }
    plan = plan_image_rewrite(images.front(), rewrite);
  } catch (const ImageError& e) {
    throw InputError(o.input + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(o.input + ": " + e.what());
  }
  const LoadedImage& image = images.front();

  if (o.dry_run) {
    if (plan.needs_layer() && image.layers.size() >= kMaxImageLayers) {
      throw InputError(o.input + ": the image already has " + std::to_string(image.layers.size()) +
                       " layers; appending the fix layer would pass the limit of 40 (squash the image first)");
    }
    std::cout << "rewrite plan for " << o.input << " (dry run: nothing written)\n" << describe_plan(plan);
    std::cout.flush();
    return kExitClean;
  }

  ImageWriteOptions write;
  write.format = *format;
  write.tag = o.tag;
  RewriteResult result;
  try {
    result = write_rewritten_image(image, plan, o.output, write);
  } catch (const ImageError& e) {
    throw InputError(o.input + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  std::cerr << "okdlint: wrote " << o.output << " (" << to_string(*format) << ", " << result.layer_count
            << " layers, config " << result.config_digest.substr(0, 19) << ")\n";
  std::cerr << "  User " << plan.user_after;
  for (const auto& [before, after] : plan.port_changes) std::cerr << ", " << before << " -> " << after;
  std::cerr << ", " << result.entries << " paths in the appended layer\n";
  for (const auto& kept : plan.kept) std::cerr << "  kept: " << kept << "\n";

  if (!o.push.empty()) {
    std::string error;
    auto destination = registry::parse_remote_reference(o.push, &error);
    if (!destination || destination->reference.rfind("sha256:", 0) == 0) {
      throw InputError("rewrite: --push " + o.push + ": not a tag reference" + (error.empty() ? "" : ": " + error));
    }
    registry::ClientOptions client_options = o.registry.client_options();
    if (!o.push_tls_verify) client_options.tls_verify = false;
    registry::Client client(destination->domain, client_options);
    registry::PushOptions push;
    push.mount_from = o.mount_from;
    push.chunk_size = o.chunk_size;
    registry::PushResult pushed;
    try {
      ImageLoadOptions load;
      load.read_layers = false;
      std::vector<LoadedImage> written = load_images(o.output, load);
      if (written.size() != 1) throw ImageError("holds " + std::to_string(written.size()) + " images");
      pushed = registry::push_image(client, written.front(), *destination, push);
    } catch (const ImageError& e) {
      throw InputError("rewrite: --push " + destination->text() + ": " + e.what() + " (" + o.output + " was written)");
    }
    auto& stats = client.stats();
    std::cerr << "okdlint: pushed " << o.output << " to " << destination->text() << " ("
              << pushed.manifest_digest.substr(0, 19) << "): " << pushed.uploaded << " blobs uploaded ("
              << pushed.bytes_uploaded << " bytes), " << pushed.skipped << " already there, " << pushed.mounted
              << " mounted; " << stats.requests.load() << " requests, " << stats.bytes_sent.load() << " bytes sent, "
              << stats.bytes_received.load() << " received\n";
  }
  return kExitClean;
}

const CommandRegistrar kRewrite{{"rewrite", [](CLI::App& root) -> std::function<int()> {
  auto o = std::make_shared<RewriteCommandOptions>();
  CLI::App* sub = root.add_subcommand(
      "rewrite", "Append one layer that fixes an image for OKD and patch its config (no rebuild needed)");
  sub->add_option("image", o->input, "Image archive (oci-archive, docker-archive) or OCI layout directory")->required();
  sub->add_option("-o,--output", o->output, "Where to write the rewritten image (written atomically)");
  sub->add_option("--output-format", o->output_format, "oci-archive (default), docker-archive or oci (a layout directory)");
  sub->add_option("--tag", o->tag, "Name for the output (index ref name / RepoTags); default: the input's");
  sub->add_option("--user", o->user, "Run as this uid (default: the image user's uid, 1001 when it is root)");
  sub->add_option("--port-map", o->port_map, "FROM:TO port remaps to make (without --unsafe-fixes only these ports move)")
      ->delimiter(',');
  sub->add_flag("--unsafe-fixes", o->unsafe,
                "Remap every port below 1024 (80:8080, 443:8443, p+8000) and drop setuid/setgid bits and file "
                "capabilities");
  sub->add_flag("--dry-run", o->dry_run, "Print the plan (paths and config changes) without writing");
  sub->add_option("--push", o->push, "After writing, push OUT to this registry reference (docker://HOST/REPO:TAG)");
  sub->add_option("--push-tls-verify", o->push_tls_verify, "Verify TLS when pushing (default true; same as --tls-verify)");
  sub->add_option("--mount-from", o->mount_from,
                  "A repository of the destination registry holding the base layers: they are mounted, not uploaded");
  sub->add_option("--chunk-size", o->chunk_size, "Upload blobs in PATCH chunks of this many bytes (default: one PUT)");
  o->registry.add_to(*sub);
  sub->add_option("--platform", o->platform, "Platform to rewrite in a multi-platform image (os/arch[/variant])");
  return [o]() { return run_rewrite(*o); };
}}};

}  // namespace
}  // namespace okd::cli
