// Shared by the okdlint subcommands: input discovery, file reading, errors, terminal checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "lint/config.h"
#include "lint/image/image.h"
#include "lint/reference.h"
#include "registry/client.h"

namespace okd::cli {

// Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage or input errors.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

// An input or usage problem; what() is "FILE:LINE: what is wrong" or "FILE: what is wrong".
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
std::string located(const std::string& file, int line, const std::string& what);

// "1 fix", "3 fixes".
std::string count_of(size_t n, std::string_view one, std::string_view many);

// Prints "okdlint: <message>" on stderr.
void print_error(const std::string& message);

// The canonical id of a rule named on the command line (id or name, any case); throws InputError
// with a did-you-mean for an unknown one.
std::string rule_id_argument(const std::string& option, const std::string& id);

// Containerfile names recognised when walking directories (any case): Dockerfile, Containerfile,
// Dockerfile.prod, Dockerfile-dev, app.Dockerfile, app.containerfile; not *.dockerignore.
bool is_containerfile_name(const std::string& file_name);

using InputErrorHandler = std::function<void(const std::string& message)>;

// Expands directories (recursively, skipping .git, node_modules, vendor) into Containerfiles;
// files and OCI layout directories are kept as given. "-" stays "-". With on_error, a missing
// path or unreadable directory is reported there and skipped instead of thrown. A directory
// with no Containerfiles is said on stderr unless quiet.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, const InputErrorHandler& on_error = {},
                                       bool quiet = false);

// Where reported paths are relative to: `root` when given, else the git work tree that holds the
// current directory (the nearest directory upward with a .git), else the current directory.
// Absolute and with symlinks resolved.
std::filesystem::path report_root(const std::optional<std::string>& root);

// An input path as reports show it: relative to root and normalised ("./a/../b" is "b", never
// "./b"), or absolute when the file lies outside root. "-" stays "-".
std::string display_path(const std::string& input, const std::filesystem::path& root);

std::string read_file(const std::string& path);  // throws InputError
std::string read_stdin();

// What an input is (classify_input in lint/image/image.h); its refusal becomes an InputError
// "DISPLAY: what it is and why it cannot be read".
InputClass classify(const std::string& path, const std::string& display);
// The text of a Containerfile, for commands that read only Containerfiles (`okdlint COMMAND`):
// an image or anything that is not a Containerfile is an InputError saying what it is.
std::string read_containerfile(const std::string& path, const std::string& display, std::string_view command);
// The same check for text already read (stdin).
std::string checked_containerfile(std::string text, const std::string& display, std::string_view command);

bool stdout_is_terminal();
bool stderr_is_terminal();
bool color_wanted(bool is_terminal);  // terminal and no NO_COLOR

// Options shared by every command that loads configuration.
struct ConfigOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> proxy;
  std::vector<std::string> ignore;
  std::optional<std::string> failure_threshold;
  std::optional<std::string> target;
  std::vector<std::string> build_args;
  std::optional<uint32_t> default_uid;
  std::vector<std::string> port_map;
  std::optional<std::string> profile;
  bool disable_inline_ignores = false;
  // --resolve-bases[=true|false|cached]: "" when not given (then the configuration decides).
  std::string resolve_bases;
  // --registries-conf: a containers dir (registries.conf + registries.conf.d/) or one file whose
  // [aliases] apply. Unset: no host file is read, so a file lints the same on every machine.
  std::optional<std::string> registries_conf;

  void add_to(CLI::App& app);
  // Config for one input: discovered from its directory, then environment, then these flags.
  // Each directory's is computed once per process (a directory of many files shares one).
  Config load_for(const std::string& input_path) const;
  RegistryAliases registry_aliases() const;  // throws InputError when the path does not exist

 private:
  Config load_for_directory(const std::filesystem::path& dir) const;
  mutable std::map<std::string, Config> config_by_directory_;
};

// Flags for commands that talk to registries (docker://…), named as podman names them.
struct RegistryFlags {
  bool tls_verify = true;
  std::string cert_dir;
  std::string authfile;
  long timeout_seconds = 60;

  void add_to(CLI::App& app);
  registry::ClientOptions client_options() const {
    return {tls_verify, cert_dir, authfile, timeout_seconds};
  }
};

}  // namespace okd::cli
