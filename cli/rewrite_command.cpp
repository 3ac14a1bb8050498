// `okdlint rewrite IMAGE -o OUT`: append one layer that fixes what keeps the image from running
// on OKD (group 0 and g=u where the random uid must write, remapped listen ports, optionally no
// setuid/capabilities) and patch the config (numeric non-root User with group 0, ExposedPorts).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/common.h"
#include "lint/image/image.h"
#include "rewrite/image_plan.h"
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
};

std::optional<std::string> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

// Runs a program with arguments (no shell), returning its exit status.
int run_program(const std::string& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  pid_t child = ::fork();
  if (child < 0) throw InputError("cannot start " + program);
  if (child == 0) {
    ::execv(program.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw InputError("cannot wait for " + program);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_rewrite(const RewriteCommandOptions& o) {
  auto format = parse_image_output_format(o.output_format);
  if (!format) throw InputError("rewrite: --output-format must be oci-archive, docker-archive or oci");
  if (o.output.empty() && !o.dry_run) throw InputError("rewrite: give the output with -o OUT (or use --dry-run)");
  if (!o.push.empty() && o.dry_run) throw InputError("rewrite: --push writes and pushes; it cannot go with --dry-run");
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
    auto skopeo = find_in_path("skopeo");
    if (!skopeo) {
      throw InputError("rewrite: --push needs skopeo, which is not installed; " + o.output +
                       " was written: push it with skopeo or podman");
    }
    std::vector<std::string> args = {"copy", "--quiet"};
    if (!o.push_tls_verify) args.push_back("--dest-tls-verify=false");
    args.push_back(transport_reference(*format, o.output));
    args.push_back("docker://" + o.push);
    int status = run_program(*skopeo, args);
    if (status != 0) throw InputError("rewrite: skopeo copy to " + o.push + " failed (exit " + std::to_string(status) + ")");
    std::cerr << "okdlint: pushed " << o.output << " to " << o.push << "\n";
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
  sub->add_option("--push", o->push, "After writing, push OUT to this registry reference with skopeo");
  sub->add_option("--push-tls-verify", o->push_tls_verify, "Verify TLS when pushing (default true)");
  sub->add_option("--platform", o->platform, "Platform to rewrite in a multi-platform image (os/arch[/variant])");
  return [o]() { return run_rewrite(*o); };
}}};

}  // namespace
}  // namespace okd::cli
