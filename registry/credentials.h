// Registry credentials as podman, skopeo and docker keep them: auth.json / config.json files.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace okd::registry {

struct Credentials {
  std::string username, password;  // from "auth" (base64 user:password)
  std::string identity_token;      // "identitytoken": an OAuth2 refresh token
  std::string source;              // the file and key they came from, for messages
};

// The files searched, in order: authfile (--authfile) alone when given, else $REGISTRY_AUTH_FILE
// alone when set, else ${XDG_RUNTIME_DIR}/containers/auth.json, ~/.config/containers/auth.json,
// ~/.docker/config.json. Missing files are skipped.
std::vector<std::string> auth_file_candidates(const std::string& authfile);

// Credentials for host/repository: in each file, the most specific key first ("host/ns/repo",
// "host/ns", "host"; docker's "https://host/v1/" forms too; "docker.io" also as
// "https://index.docker.io/v1/"). The first file with a match wins. Entries that only name a
// credential helper ("credHelpers", "credsStore") are not run. Throws std::runtime_error for a
// file that is not JSON or an "auth" that is not base64 user:password.
std::optional<Credentials> find_credentials(const std::vector<std::string>& files, const std::string& host,
                                            const std::string& repository);

std::string base64_encode(const std::string& bytes);
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace okd::registry
