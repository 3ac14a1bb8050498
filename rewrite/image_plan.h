// The analysis half of `okdlint rewrite`: from a loaded image (config + metadata-only filesystem
// view) to a plan of what one appended layer and the patched config must change so that the image
// runs on OKD (random uid, gid 0, no ports below 1024). Pure: reads nothing but the LoadedImage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lint/image/image.h"

namespace okd {

struct PortMapping {
  uint32_t from = 0, to = 0;
};

// "80:8080" → {80, 8080}. Throws std::invalid_argument naming the text.
PortMapping parse_port_mapping(std::string_view text);
// The port a privileged one moves to: an override when one names it, else 80→8080, 443→8443,
// other p<1024 → p+8000. Ports ≥ 1024 without an override stay.
uint32_t remap_port(uint32_t port, const std::vector<PortMapping>& overrides);

struct ImageRewriteOptions {
  std::optional<uint32_t> user;        // --user: the uid to run as
  std::vector<PortMapping> port_map;   // --port-map: these ports are remapped (always)
  // Remap every privileged port (a remap changes what clients connect to, which `fix` treats as
  // unsafe too), and drop setuid/setgid bits and file capabilities.
  bool unsafe_fixes = false;
};

// Which web server syntax a config file uses (by its path).
enum class ServerConfigKind { Nginx, Httpd, Lighttpd };
std::optional<ServerConfigKind> server_config_kind(std::string_view abs_path);
// Rewrites the privileged ports of `listen` (nginx), `Listen` / `<VirtualHost>` (httpd) or
// `server.port =` (lighttpd) directives, keeping everything else byte for byte. Each change is appended to `changes` as
// "LINE: old -> new".
std::string patch_listen_ports(std::string_view text, ServerConfigKind kind, const std::vector<PortMapping>& port_map,
                               std::vector<std::string>* changes);

// One entry of the appended layer.
struct PlannedEntry {
  std::string path;  // absolute, normalised
  FileType type = FileType::Directory;  // Directory, Regular, or Hardlink (to link_target)
  std::string link_target;              // for Hardlink: the group's file as written in this layer
  bool created = false;                 // a path the image lacks (working dir, volume, parent, pid file)
  uint32_t uid = 0, gid = 0, mode = 0;  // after the rewrite
  uint32_t old_gid = 0, old_mode = 0;   // before (equal to the new ones for a created entry)
  // Where content and xattrs come from: the path whose tar entry holds them, in layer
  // source_layer. Regular files always; directories only when they carry xattrs.
  std::string source_path;
  uint32_t source_layer = 0;
  bool read_source = false;
  bool drop_capability = false;
  std::optional<std::string> content;  // patched content replacing the original
  std::vector<std::string> reasons;    // why this entry is in the layer
};

struct ImagePlan {
  std::string user_before, user_after;
  uint32_t runtime_uid = 0;
  std::vector<std::pair<std::string, std::string>> port_changes;  // ExposedPorts key before → after
  std::vector<std::string> exposed_ports;                         // after
  std::vector<PlannedEntry> entries;                              // byte-wise path order
  std::vector<std::string> kept;  // findings deliberately left as they are, each with its reason
  bool needs_layer() const { return !entries.empty(); }
};

// Throws ImageError when the image has no filesystem view (config JSON / inspect inputs).
ImagePlan plan_image_rewrite(const LoadedImage& image, const ImageRewriteOptions& options);

// Human-readable plan for --dry-run: config changes, then one line per path.
std::string describe_plan(const ImagePlan& plan);

std::string format_mode(uint32_t mode);  // "0775"

}  // namespace okd
