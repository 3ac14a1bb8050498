#include "cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "lint/image/image.h"
#include "lint/rule_ids.h"
#include "lint/text.h"

namespace fs = std::filesystem;

namespace okd::cli {


std::string located(const std::string& file, int line, const std::string& what) {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + what;
  return file + ": " + what;
}

std::string count_of(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

void print_error(const std::string& message) { std::cerr << "okdlint: " << message << "\n"; }

std::string rule_id_argument(const std::string& option, const std::string& id) {
  std::optional<std::string> canonical = canonical_rule_id(id);
  if (!canonical) throw InputError(option + " " + id + ": " + unknown_rule_message(id));
  return *canonical;
}

bool is_containerfile_name(const std::string& file_name) {
  std::string name = ascii_lower(file_name);
  // BuildKit's per-Dockerfile ignore files: Dockerfile.dockerignore, app.Containerfile.containerignore.
  if (name.ends_with(".dockerignore") || name.ends_with(".containerignore")) return false;
  for (std::string_view base : {"dockerfile", "containerfile"}) {
    std::string b(base);
    if (name == b) return true;                                                    // Dockerfile, dockerfile
    if (name.size() > b.size() + 1 && (name.starts_with(b + ".") || name.starts_with(b + "-"))) return true;  // Dockerfile.prod, Dockerfile-dev
    if (name.size() > b.size() + 1 && name.ends_with("." + b)) return true;        // app.Dockerfile, x.containerfile
  }
  return false;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, const InputErrorHandler& on_error,
                                       bool quiet) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p != "-" && on_error && !registry::is_remote_reference(p) && !fs::exists(fs::symlink_status(p, ec))) {
      on_error(located(p, 0, "no such file or directory"));
      continue;
    }
    // An OCI layout is a directory too: it is linted as an image, not searched.
    if (p == "-" || !fs::is_directory(p, ec) || looks_like_image(p)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      if (!on_error) throw InputError(located(p, 0, ec.message()));
      on_error(located(p, 0, ec.message()));
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const std::string name = it->path().filename().string();
      if (it->is_directory(ec)) {
        if (name == ".git" || name == "node_modules" || name == "vendor") it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && is_containerfile_name(name)) found.push_back(it->path().string());
    }
    if (found.empty() && !quiet) {
      print_error(located(p, 0, "no Containerfiles found (Dockerfile, Containerfile, Dockerfile.*, Dockerfile-*, *.Dockerfile, *.containerfile)"));
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

fs::path report_root(const std::optional<std::string>& root) {
  std::error_code ec;
  if (root) {
    fs::path dir = fs::weakly_canonical(fs::absolute(*root), ec);
    if (ec || !fs::is_directory(dir, ec)) throw InputError(located(*root, 0, "--root: not a directory"));
    return dir;
  }
  const fs::path cwd = fs::current_path();
  for (fs::path dir = cwd;; dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", ec)) return dir;
    if (dir == dir.root_path() || dir.empty()) break;
  }
  return cwd;
}

std::string display_path(const std::string& input, const fs::path& root) {
  if (input == "-" || registry::is_remote_reference(input)) return input;  // docker://… is not a path
  std::error_code ec;
  fs::path absolute = fs::absolute(input, ec).lexically_normal();
  if (ec) return input;
  if (!absolute.has_filename()) absolute = absolute.parent_path();  // "layout/"
  // Resolve symlinks in the directories (the current directory is already physical), not in the
  // name itself: a Containerfile that is a symlink is reported under its own name.
  fs::path dir = fs::weakly_canonical(absolute.parent_path(), ec);
  if (!ec && absolute.has_filename()) absolute = dir / absolute.filename();
  fs::path relative = absolute.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return absolute.string();
  if (relative == ".") return ".";
  return relative.string();
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(located(path, 0, "is a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(located(path, 0, std::string("cannot open: ") + std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

[[noreturn]] void refuse_image(const std::string& display, const InputClass& what, std::string_view command) {
  std::string advice = command == "fix" ? " (okdlint rewrite fixes images)" : "";
  throw InputError(located(display, 0, what.description + ", not a Containerfile: okdlint " + std::string(command) +
                                           " reads Containerfiles" + advice));
}

}  // namespace

InputClass classify(const std::string& path, const std::string& display) {
  try {
    return classify_input(path);
  } catch (const ImageError& e) {
    throw InputError(located(display, 0, e.what()));
  }
}

std::string checked_containerfile(std::string text, const std::string& display, std::string_view command) {
  InputClass what;
  try {
    what = classify_bytes(text, display);
  } catch (const ImageError& e) {
    throw InputError(located(display, 0, e.what()));
  }
  if (what.kind == InputKind::Image) refuse_image(display, what, command);
  return text;
}

std::string read_containerfile(const std::string& path, const std::string& display, std::string_view command) {
  std::error_code ec;
  bool regular = fs::is_regular_file(path, ec);
  InputClass what = classify(path, display);
  if (what.kind == InputKind::Image) refuse_image(display, what, command);
  std::string text = read_file(path);
  // A pipe was not looked at before it was read.
  return regular ? text : checked_containerfile(std::move(text), display, command);
}

std::string read_stdin() {
  std::stringstream ss;
  ss << std::cin.rdbuf();
  return ss.str();
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }
bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

bool color_wanted(bool is_terminal) {
  const char* no_color = std::getenv("NO_COLOR");
  return is_terminal && (no_color == nullptr || *no_color == '\0');
}

void ConfigOptions::add_to(CLI::App& app) {
  app.add_option("--config", config_file, "Configuration file (default: .okdlint.yaml found upward, then ~/.config/okdlint/config.yaml)");
  app.add_option("--proxy", proxy, "Docker Hub proxy prefix, e.g. registry.example/base; none switches OKD401 off");
  app.add_option("--ignore", ignore, "Rule ids to skip (repeatable, or comma separated)")->delimiter(',')->allow_extra_args(false);
  app.add_option("--failure-threshold", failure_threshold, "Exit 1 on findings at or above: error|warning|info|none");
  app.add_option("--target", target, "Build target stage (default: the last stage)");
  app.add_option("--build-arg", build_args, "NAME=VALUE as for podman/docker build, or NAME to take its value from the environment (repeatable)")->allow_extra_args(false);
  app.add_option("--default-uid", default_uid, "Numeric uid that fixes use for USER (default 1001)");
  app.add_option("--port-map", port_map, "Port remap FROM:TO for fixes (repeatable; default 80:8080, 443:8443, p<1024: p+8000)")->delimiter(',')->allow_extra_args(false);
  app.add_option("--profile", profile, "Rule profile: default | certification");
  app.add_flag("--disable-inline-ignores", disable_inline_ignores, "Ignore `# okdlint ignore=` pragmas");
  app.add_flag("--resolve-bases{true}", resolve_bases,
               "Read each stage's base image config from its registry (cached); =cached uses only the cache, "
               "=false turns a configured resolve-bases off");
  app.add_option("--registries-conf", registries_conf,
                 "Short-name aliases from this containers dir (registries.conf, registries.conf.d/) or file; "
                 "default: none, so results do not depend on the host");
}

RegistryAliases ConfigOptions::registry_aliases() const {
  if (!registries_conf) return {};
  fs::path p = *registries_conf;
  std::error_code ec;
  if (fs::is_directory(p, ec)) return RegistryAliases::load(p);
  if (!fs::is_regular_file(p, ec)) throw InputError(*registries_conf + ": no such file or directory");
  return RegistryAliases::parse(read_file(p.string()));
}

Config ConfigOptions::load_for(const std::string& input_path) const {
  fs::path dir = input_path == "-" ? fs::current_path() : fs::absolute(input_path).parent_path();
  auto cached = config_by_directory_.find(dir.string());
  if (cached == config_by_directory_.end()) {
    // Only a successful load is kept: an error is raised again for every input it concerns.
    cached = config_by_directory_.emplace(dir.string(), load_for_directory(dir)).first;
  }
  return cached->second;
}

Config ConfigOptions::load_for_directory(const fs::path& dir) const {
  std::optional<fs::path> explicit_file;
  if (config_file) explicit_file = *config_file;
  Config config;
  try {
    config = load_config(dir, explicit_file, current_environment());
  } catch (const ConfigError& e) {
    throw InputError(e.what());
  }
  // Command-line flags win over files and environment: express them as a YAML overlay so they
  // are validated by the same code.
  std::ostringstream yaml;
  if (proxy) yaml << "proxy: \"" << *proxy << "\"\n";
  if (!ignore.empty()) {
    yaml << "ignore:\n";
    for (const std::string& id : config.ignore) yaml << "  - " << id << "\n";
    for (const std::string& id : ignore) yaml << "  - \"" << rule_id_argument("--ignore", id) << "\"\n";
  }
  if (failure_threshold) yaml << "failure-threshold: \"" << *failure_threshold << "\"\n";
  if (target) yaml << "target: \"" << *target << "\"\n";
  if (default_uid) yaml << "default-uid: " << *default_uid << "\n";
  if (profile) yaml << "profile: \"" << *profile << "\"\n";
  if (disable_inline_ignores) yaml << "disable-inline-ignores: true\n";
  if (!resolve_bases.empty()) yaml << "resolve-bases: \"" << resolve_bases << "\"\n";
  if (!port_map.empty()) {
    yaml << "port-map:\n";
    for (const std::string& m : port_map) yaml << "  - \"" << m << "\"\n";
  }
  try {
    apply_config_yaml(config, yaml.str(), "command line");
  } catch (const ConfigError& e) {
    throw InputError(std::string("command line: ") + e.message);
  }
  for (const std::string& arg : build_args) {
    size_t eq = arg.find('=');
    if (arg.empty() || eq == 0) throw InputError("--build-arg " + arg + ": expected NAME=VALUE or NAME");
    if (eq == std::string::npos) {
      // As docker build: `--build-arg NAME` takes NAME's value from the environment, and is
      // ignored when NAME is not set there.
      if (const char* value = std::getenv(arg.c_str())) config.build_args[arg] = value;
      continue;
    }
    config.build_args[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  return config;
}

void RegistryFlags::add_to(CLI::App& app) {
  app.add_option("--tls-verify", tls_verify, "Verify registry TLS certificates (default true; false also allows plain http)");
  app.add_option("--cert-dir", cert_dir, "Directory of *.crt CA certificates for registries (default: the certs.d dirs)");
  app.add_option("--authfile", authfile, "Registry credentials file (default: REGISTRY_AUTH_FILE, podman's and docker's)");
  app.add_option("--registry-timeout", timeout_seconds, "Seconds a registry may take to connect or stall (default 60)")
      ->check(CLI::PositiveNumber);
}

}  // namespace okd::cli
