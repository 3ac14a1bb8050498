// Image-side checks of the rules, kept together because they share the reading of config.User,
// the image's accounts and its filesystem view. Each rule's check_image calls one of these.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/image/image.h"

namespace okd {

struct ImageContext;
class DiagnosticSink;

// config.User split at the first ':' ("1001:0" → user "1001", group "0"; "" → user "").
struct ImageUser {
  std::string user;
  std::optional<std::string> group;
};
ImageUser split_image_user(std::string_view config_user);

// Whether config.User makes the container run as uid 0 (empty, root, 0, or a name /etc/passwd
// maps to 0).
bool image_runs_as_root(const LoadedImage& image);

// One `listen` directive below 1024 in a web server config captured from the image.
struct PrivilegedListen {
  std::string path;  // "/etc/nginx/conf.d/default.conf"
  uint32_t line = 0;  // 1-based
  uint32_t port = 0;
};
// Parsers for one config file's text (exposed for tests).
std::vector<PrivilegedListen> nginx_privileged_listens(std::string_view path, std::string_view text);
// enabled_modules: what Debian's mods-enabled loads; a Listen inside <IfModule X> of a module not
// in it is not counted. nullptr: every module counts as loaded.
std::vector<PrivilegedListen> httpd_privileged_listens(std::string_view path, std::string_view text,
                                                       const std::vector<std::string>* enabled_modules = nullptr);
std::vector<PrivilegedListen> lighttpd_privileged_listens(std::string_view path, std::string_view text);

// Every privileged listen in the server configs of an image that their server reads. patched:
// replacement texts by path (the rewrite plan checks its own patches with this).
std::vector<PrivilegedListen> image_privileged_listens(const FilesystemView& fs,
                                                       const std::map<std::string, std::string>* patched = nullptr);

void check_image_root_user(const ImageContext& ctx, DiagnosticSink& sink);            // OKD101
void check_image_non_numeric_user(const ImageContext& ctx, DiagnosticSink& sink);     // OKD103
void check_image_user_group(const ImageContext& ctx, DiagnosticSink& sink);           // OKD104
void check_image_privilege_escalation(const ImageContext& ctx, DiagnosticSink& sink); // OKD105
void check_image_privileged_ports(const ImageContext& ctx, DiagnosticSink& sink);     // OKD201
void check_image_privileged_listen(const ImageContext& ctx, DiagnosticSink& sink);    // OKD202
void check_image_group_writable(const ImageContext& ctx, DiagnosticSink& sink);       // OKD302
void check_image_world_writable(const ImageContext& ctx, DiagnosticSink& sink);       // OKD303
void check_image_passwd_writable(const ImageContext& ctx, DiagnosticSink& sink);      // OKD304
void check_image_layer_count(const ImageContext& ctx, DiagnosticSink& sink);          // OKD501
void check_image_certification_labels(const ImageContext& ctx, DiagnosticSink& sink); // OKD502

inline constexpr size_t kMaxImageLayers = 40;  // Red Hat preflight's LayerCountAcceptable limit

}  // namespace okd
