#include "registry/credentials.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace okd::registry {

std::string base64_encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out(3 * clean.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) return std::nullopt;
  size_t size = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!clean.empty() && clean.back() == '=') --size;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::vector<std::string> auth_file_candidates(const std::string& authfile) {
  if (!authfile.empty()) return {authfile};
  if (const char* env = std::getenv("REGISTRY_AUTH_FILE"); env && *env) return {env};
  std::vector<std::string> files;
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    files.push_back(std::string(runtime) + "/containers/auth.json");
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    files.push_back(std::string(home) + "/.config/containers/auth.json");
    files.push_back(std::string(home) + "/.docker/config.json");
  }
  return files;
}

namespace {

// "https://host/v1/" → "host"; "host/ns/repo" stays.
std::string normalize_key(std::string key) {
  for (const char* scheme : {"https://", "http://"}) {
    if (key.rfind(scheme, 0) == 0) {
      key.erase(0, std::string(scheme).size());
      // docker's legacy keys carry an API path, never a repository.
      size_t slash = key.find('/');
      if (slash != std::string::npos) key.erase(slash);
      break;
    }
  }
  while (!key.empty() && key.back() == '/') key.pop_back();
  return key;
}

}  // namespace

std::optional<Credentials> find_credentials(const std::vector<std::string>& files, const std::string& host,
                                            const std::string& repository) {
  // Most specific first: host/a/b/c, host/a/b, host/a, host.
  std::vector<std::string> wanted;
  std::string path = host + "/" + repository;
  while (true) {
    wanted.push_back(path);
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) break;
    path.erase(slash);
  }
  if (host == "docker.io") wanted.push_back("index.docker.io");
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json document = nlohmann::json::parse(text.str(), nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
      throw std::runtime_error(file + ": not a JSON object (a credentials file)");
    }
    auto auths = document.find("auths");
    if (auths == document.end() || !auths->is_object()) continue;
    for (const auto& key : wanted) {
      for (const auto& [raw_key, entry] : auths->items()) {
        if (normalize_key(raw_key) != key || !entry.is_object()) continue;
        Credentials credentials;
        credentials.source = file + " (" + raw_key + ")";
        if (auto token = entry.find("identitytoken"); token != entry.end() && token->is_string()) {
          credentials.identity_token = token->get<std::string>();
        }
        if (auto auth = entry.find("auth"); auth != entry.end() && auth->is_string() && !auth->get<std::string>().empty()) {
          auto decoded = base64_decode(auth->get<std::string>());
          size_t colon = decoded ? decoded->find(':') : std::string::npos;
          if (colon == std::string::npos) {
            throw std::runtime_error(file + ": the \"auth\" of " + raw_key + " is not base64 of user:password");
          }
          credentials.username = decoded->substr(0, colon);
          credentials.password = decoded->substr(colon + 1);
        }
        if (credentials.username.empty() && credentials.identity_token.empty()) continue;
        return credentials;
      }
    }
  }
  return std::nullopt;
}

}  // namespace okd::registry
