#include "registry/client.h"

#include <cstdint>
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lint/image/detail.h"
#include "lint/reference.h"
#include "registry/curl_api.h"

namespace okd::registry {

namespace {

constexpr size_t kBodyHighWater = 1 << 20;  // a transfer pauses once this much is unread
constexpr int kMaxRedirects = 5;

const char* const kManifestAccept =
    "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// Parts of a URL, through libcurl's parser.
struct UrlParts {
  std::string scheme, host, port;
  std::string origin() const { return scheme + "://" + host + ":" + port; }
};

UrlParts url_parts(const std::string& url) {
  UrlParts parts;
  CURLU* u = curl_api().url();
  if (curl_api().url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    auto get = [&](CURLUPart part, std::string& out, unsigned flags) {
      char* value = nullptr;
      if (curl_api().url_get(u, part, &value, flags) == CURLUE_OK && value) out = value;
      curl_api().free(value);
    };
    get(CURLUPART_SCHEME, parts.scheme, 0);
    get(CURLUPART_HOST, parts.host, 0);
    get(CURLUPART_PORT, parts.port, CURLU_DEFAULT_PORT);
  }
  curl_api().url_cleanup(u);
  return parts;
}

// A Location header resolved against the URL it answered.
std::string resolve_url(const std::string& base, const std::string& location) {
  CURLU* u = curl_api().url();
  std::string out;
  if (curl_api().url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_api().url_set(u, CURLUPART_URL, location.c_str(), 0) == CURLUE_OK) {
    char* value = nullptr;
    if (curl_api().url_get(u, CURLUPART_URL, &value, 0) == CURLUE_OK && value) out = value;
    curl_api().free(value);
  }
  curl_api().url_cleanup(u);
  if (out.empty()) throw RegistryError("the registry answered with an unusable Location: " + location.substr(0, 200));
  return out;
}

std::string add_query(const std::string& url, const std::vector<std::pair<std::string, std::string>>& params) {
  CURLU* u = curl_api().url();
  std::string out;
  if (curl_api().url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    for (const auto& [key, value] : params) {
      std::string pair = key + "=" + value;
      curl_api().url_set(u, CURLUPART_QUERY, pair.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE);
    }
    char* value = nullptr;
    if (curl_api().url_get(u, CURLUPART_URL, &value, 0) == CURLUE_OK && value) out = value;
    curl_api().free(value);
  }
  curl_api().url_cleanup(u);
  if (out.empty()) throw RegistryError("unusable URL: " + url.substr(0, 200));
  return out;
}

// WWW-Authenticate: Bearer realm="…",service="…",scope="…"  →  scheme + parameters.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

Challenge parse_challenge(std::string_view header) {
  Challenge c;
  std::string text = trim(header);
  size_t space = text.find(' ');
  c.scheme = lower(text.substr(0, space));
  size_t i = space == std::string::npos ? text.size() : space + 1;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    size_t eq = text.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = lower(trim(text.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value.push_back(text[i]);
      }
      ++i;
    } else {
      size_t end = text.find(',', i);
      value = trim(text.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? text.size() : end;
    }
    c.params[key] = value;
  }
  return c;
}

// The first error message of a registry's JSON error body, if any.
std::string error_detail(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    auto errors = doc.find("errors");
    if (errors != doc.end() && errors->is_array() && !errors->empty() && (*errors)[0].is_object()) {
      const auto& e = (*errors)[0];
      std::string code = e.value("code", ""), message = e.value("message", "");
      if (!code.empty() || !message.empty()) return code + (message.empty() ? "" : ": " + message);
    }
  }
  std::string line = body.substr(0, body.find('\n'));
  return trim(line.substr(0, 200));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// One HTTP exchange on its own multi handle, driven from the reading thread: the body is pulled
// by read(), and libcurl is paused while more than kBodyHighWater bytes wait unread.

struct Client::Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::string scope;  // the token scope this request needs
  // Upload body: size and a reader (offset, buffer, size) → bytes.
  std::optional<uint64_t> body_size;
  std::function<size_t(uint64_t, char*, size_t)> body;
  bool follow_redirects = true;
};

class Client::Transfer {
 public:
  Transfer(const Request& request, const std::string& authorization, const std::string& ca_bundle, bool tls_verify,
           long timeout, TransferStats& stats, CURLSH* share)
      : stats_(stats), body_(request.body), body_size_(request.body_size.value_or(0)) {
    easy_ = curl_api().easy_init();
    multi_ = curl_api().multi_init();
    if (!easy_ || !multi_) throw RegistryError("cannot initialise libcurl");
    curl_api().easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
    // HTTP/1.1: Go registries reset chunked PATCH uploads over HTTP/2; connections are reused
    // through the share handle instead.
    curl_api().easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    if (share) curl_api().easy_setopt(easy_, CURLOPT_SHARE, share);
    curl_api().easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_api().easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_api().easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_api().easy_setopt(easy_, CURLOPT_USERAGENT, "okdlint");
    curl_api().easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_api().easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_api().easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, timeout);
    curl_api().easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, tls_verify ? 1L : 0L);
    curl_api().easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, tls_verify ? 2L : 0L);
    if (!ca_bundle.empty()) {
      curl_blob blob{const_cast<char*>(ca_bundle.data()), ca_bundle.size(), CURL_BLOB_COPY};
      curl_api().easy_setopt(easy_, CURLOPT_CAINFO_BLOB, &blob);
    }
    curl_api().easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_api().easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    curl_api().easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_api().easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_api().easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    for (const auto& h : request.headers) headers_ = curl_api().slist_append(headers_, h.c_str());
    if (!authorization.empty()) headers_ = curl_api().slist_append(headers_, ("Authorization: " + authorization).c_str());
    headers_ = curl_api().slist_append(headers_, "Expect:");
    curl_api().easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    const std::string& m = request.method;
    if (m == "HEAD") {
      curl_api().easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (m == "POST") {
      curl_api().easy_setopt(easy_, CURLOPT_POST, 1L);
      if (request.body_size) {
        curl_api().easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(*request.body_size));
      } else {
        curl_api().easy_setopt(easy_, CURLOPT_POSTFIELDS, "");
        curl_api().easy_setopt(easy_, CURLOPT_POSTFIELDSIZE, 0L);
      }
    } else if (m == "PUT" || m == "PATCH") {
      curl_api().easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
      curl_api().easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size.value_or(0)));
      if (m == "PATCH") curl_api().easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, "PATCH");
    }
    if (request.body_size) {
      curl_api().easy_setopt(easy_, CURLOPT_READFUNCTION, &Transfer::on_read);
      curl_api().easy_setopt(easy_, CURLOPT_READDATA, this);
    } else if (m == "PUT" || m == "PATCH") {
      curl_api().easy_setopt(easy_, CURLOPT_READFUNCTION, &Transfer::on_read);
      curl_api().easy_setopt(easy_, CURLOPT_READDATA, this);
    }
    curl_api().multi_add_handle(multi_, easy_);
    stats_.requests.fetch_add(1, std::memory_order_relaxed);
    url_ = request.url;
  }
  ~Transfer() {
    if (multi_ && easy_) curl_api().multi_remove_handle(multi_, easy_);
    if (easy_) curl_api().easy_cleanup(easy_);
    if (multi_) curl_api().multi_cleanup(multi_);
    curl_api().slist_free_all(headers_);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  const std::string& url() const { return url_; }
  long status() const { return status_; }
  std::string header(const std::string& name) const {
    auto it = response_headers_.find(lower(name));
    return it == response_headers_.end() ? std::string() : it->second;
  }

  void wait_headers() {
    pump([&] { return headers_done_; });
    if (!headers_done_) {
      fail_if_error();
      throw RegistryError(url_ + ": the connection closed before an answer");
    }
  }

  size_t read(void* buffer, size_t size) {
    pump([&] { return buffer_.size() > pos_; });
    if (buffer_.size() == pos_) {
      fail_if_error();
      return 0;
    }
    size_t n = std::min(size, buffer_.size() - pos_);
    std::memcpy(buffer, buffer_.data() + pos_, n);
    pos_ += n;
    if (pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
    }
    return n;
  }

  std::string read_all(size_t max_bytes, const std::string& what) {
    std::string out;
    char chunk[16384];
    while (size_t n = read(chunk, sizeof chunk)) {
      out.append(chunk, n);
      if (out.size() > max_bytes) {
        throw RegistryError(what + " is too large (more than " + std::to_string(max_bytes) + " bytes)");
      }
    }
    return out;
  }

  // The error body of a failed answer (a few KiB at most).
  std::string error_body() {
    try {
      std::string body;
      char chunk[4096];
      while (size_t n = read(chunk, sizeof chunk)) {
        if (body.size() < 8192) body.append(chunk, n);
      }
      return body;
    } catch (const RegistryError&) {
      return {};
    }
  }

  CURLcode result() const { return result_; }
  std::string curl_error() const {
    return error_[0] ? std::string(error_) : std::string(curl_api().easy_strerror(result_));
  }

 private:
  template <typename Done>
  void pump(Done done) {
    while (!done() && !finished_) {
      if (paused_ && buffer_.size() == pos_) {
        paused_ = false;
        curl_api().easy_pause(easy_, CURLPAUSE_CONT);
        if (done()) break;
      }
      int running = 0;
      CURLMcode rc = curl_api().multi_perform(multi_, &running);
      if (rc != CURLM_OK) throw RegistryError(url_ + ": " + curl_api().multi_strerror(rc));
      int queued = 0;
      while (CURLMsg* msg = curl_api().multi_info_read(multi_, &queued)) {
        if (msg->msg == CURLMSG_DONE) {
          finished_ = true;
          result_ = msg->data.result;
        }
      }
      if (done() || finished_) break;
      if (paused_ && buffer_.size() > pos_) break;  // the reader must drain first
      curl_api().multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    if (finished_ && !headers_done_ && result_ == CURLE_OK) headers_done_ = true;
  }

  void fail_if_error() const {
    if (!finished_ || result_ == CURLE_OK) return;
    if (result_ == CURLE_OPERATION_TIMEDOUT) {
      throw RegistryError(url_ + ": timed out (" + curl_error() + ")");
    }
    throw RegistryError(url_ + ": " + curl_error());
  }

  static size_t on_header(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    size_t n = size * count;
    std::string_view line(data, n);
    self->stats_.bytes_received.fetch_add(n, std::memory_order_relaxed);
    if (line.rfind("HTTP/", 0) == 0) {
      self->response_headers_.clear();
      size_t space = line.find(' ');
      self->status_ = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
      return n;
    }
    if (trim(line).empty()) {
      if (self->status_ >= 200) self->headers_done_ = true;  // 1xx answers are followed by the real one
      return n;
    }
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string key = lower(std::string(line.substr(0, colon)));
      std::string value = trim(line.substr(colon + 1));
      auto [it, inserted] = self->response_headers_.emplace(key, value);
      // Several challenges are kept together; the first is used.
      if (!inserted && key != "www-authenticate") it->second = value;
    }
    return n;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    size_t n = size * count;
    if (self->buffer_.size() - self->pos_ >= kBodyHighWater) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    self->buffer_.append(data, n);
    self->stats_.bytes_received.fetch_add(n, std::memory_order_relaxed);
    return n;
  }

  static size_t on_read(char* buffer, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    if (!self->body_ || self->sent_ >= self->body_size_) return 0;
    try {
      // Never more than the declared length: extra bytes would corrupt the reused connection.
      size_t want = static_cast<size_t>(std::min<uint64_t>(size * count, self->body_size_ - self->sent_));
      size_t n = self->body_(self->sent_, buffer, want);
      self->sent_ += n;
      self->stats_.bytes_sent.fetch_add(n, std::memory_order_relaxed);
      return n;
    } catch (...) {
      return CURL_READFUNC_ABORT;
    }
  }

  TransferStats& stats_;
  std::function<size_t(uint64_t, char*, size_t)> body_;
  uint64_t body_size_ = 0;
  uint64_t sent_ = 0;
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
  std::string url_;
  long status_ = 0;
  std::map<std::string, std::string> response_headers_;
  bool headers_done_ = false, finished_ = false, paused_ = false;
  CURLcode result_ = CURLE_OK;
  std::string buffer_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// References.

std::string RemoteReference::text() const {
  return "docker://" + domain + "/" + repository + (reference.rfind("sha256:", 0) == 0 ? "@" : ":") + reference;
}

bool is_remote_reference(std::string_view text) { return text.rfind("docker://", 0) == 0; }

std::optional<RemoteReference> parse_remote_reference(std::string_view text, std::string* error) {
  if (is_remote_reference(text)) text.remove_prefix(9);
  auto parsed = parse_image_reference(text, error);
  if (!parsed) return std::nullopt;
  RemoteReference ref;
  ref.domain = parsed->domain;
  ref.repository = parsed->path;
  ref.reference = parsed->digest ? *parsed->digest : parsed->tag.value_or("latest");
  if (parsed->digest && parsed->digest->rfind("sha256:", 0) != 0) {
    if (error) *error = "only sha256 digests are supported";
    return std::nullopt;
  }
  return ref;
}

// ---------------------------------------------------------------------------------------------
// The client.

// libcurl's share interface, locked per data kind: connections, DNS and TLS sessions are reused
// across the transfers of all threads.
struct ShareLocks {
  std::mutex locks[CURL_LOCK_DATA_LAST];
};

namespace {
void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->locks[data].lock();
}
void share_unlock(CURL*, curl_lock_data data, void* user) { static_cast<ShareLocks*>(user)->locks[data].unlock(); }
}  // namespace

Client::Client(std::string domain, ClientOptions options)
    : domain_(std::move(domain)), options_(std::move(options)) {
  api_host_ = domain_ == "docker.io" ? "registry-1.docker.io" : domain_;
  auth_files_ = auth_file_candidates(options_.authfile);
  share_locks_ = std::make_unique<ShareLocks>();
  share_ = curl_api().share_init();
  if (share_) {
    curl_api().share_setopt(share_, CURLSHOPT_LOCKFUNC, share_lock);
    curl_api().share_setopt(share_, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_api().share_setopt(share_, CURLSHOPT_USERDATA, share_locks_.get());
    curl_api().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_api().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_api().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

Client::~Client() {
  if (share_) curl_api().share_cleanup(share_);
}

std::string Client::ca_bundle() {
  std::lock_guard lock(mutex_);
  if (ca_bundle_) return *ca_bundle_;
  std::vector<std::string> dirs;
  if (!options_.cert_dir.empty()) {
    dirs.push_back(options_.cert_dir);
  } else {
    for (const char* root : {"/etc/containers/certs.d/", "/etc/docker/certs.d/"}) dirs.push_back(root + domain_);
    if (const char* home = std::getenv("HOME"); home && *home) {
      dirs.push_back(std::string(home) + "/.config/containers/certs.d/" + domain_);
    }
  }
  std::string extra;
  for (const auto& dir : dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 4 && name.substr(name.size() - 4) == ".crt") names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::ifstream in(dir + "/" + name, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      extra += text.str() + "\n";
    }
  }
  std::string bundle;
  if (!extra.empty()) {
    // The extra CAs come on top of the system's (CURLOPT_CAINFO_BLOB replaces the default file).
    for (const char* system : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}) {
      std::ifstream in(system, std::ios::binary);
      if (!in) continue;
      std::stringstream text;
      text << in.rdbuf();
      bundle = text.str() + "\n";
      break;
    }
    bundle += extra;
  }
  ca_bundle_ = bundle;
  return bundle;
}

// https, or plain http when TLS is not verified and the host does not speak it (as podman's
// --tls-verify=false does).
std::string Client::base_url() {
  {
    std::lock_guard lock(mutex_);
    if (!scheme_.empty()) return scheme_ + "://" + api_host_;
  }
  std::string scheme = "https";
  if (!options_.tls_verify) {
    Request ping;
    ping.url = "https://" + api_host_ + "/v2/";
    Transfer probe(ping, "", "", false, options_.timeout_seconds, stats_, share_);
    try {
      probe.wait_headers();
    } catch (const RegistryError&) {
      scheme = "http";
    }
  }
  std::lock_guard lock(mutex_);
  scheme_ = scheme;
  return scheme_ + "://" + api_host_;
}

std::string Client::authorization(const std::string& scope) {
  std::lock_guard lock(mutex_);
  if (auto it = auth_by_scope_.find(scope); it != auth_by_scope_.end()) return it->second;
  return basic_;
}

void Client::authenticate(const std::string& header, const std::string& scope, bool had_token) {
  // "repository:NAME:ACTIONS[ more scopes]" → NAME, for the most specific credentials key.
  std::string first_scope = scope.substr(0, scope.find(' '));
  size_t name_from = first_scope.find(':'), name_to = first_scope.rfind(':');
  std::string repository = name_from != std::string::npos && name_to > name_from
                               ? first_scope.substr(name_from + 1, name_to - name_from - 1)
                               : std::string();
  std::optional<Credentials> credentials;
  try {
    credentials = find_credentials(auth_files_, domain_, repository);
  } catch (const std::runtime_error& e) {
    throw RegistryError(e.what());
  }
  std::string login_hint = "log in with `podman login " + domain_ + "` (or give --authfile)";
  Challenge challenge = parse_challenge(header);
  if (challenge.scheme == "basic") {
    if (!credentials || credentials->username.empty()) {
      throw RegistryError("unauthorized: " + domain_ + " needs credentials: " + login_hint);
    }
    if (had_token) {
      throw RegistryError("unauthorized: " + domain_ + " rejected the user and password of " + credentials->username +
                          " from " + credentials->source);
    }
    std::lock_guard lock(mutex_);
    basic_ = "Basic " + base64_encode(credentials->username + ":" + credentials->password);
    return;
  }
  if (challenge.scheme != "bearer") {
    throw RegistryError("unauthorized: " + domain_ + " asks for an unsupported authentication scheme '" +
                        challenge.scheme + "'");
  }
  if (had_token) {
    std::string why = challenge.params.count("error") ? challenge.params["error"] : "";
    if (challenge.params.count("error_description")) why += ": " + challenge.params["error_description"];
    throw RegistryError("unauthorized: " + domain_ + " rejected the token from " + challenge.params["realm"] +
                        (why.empty() ? "" : " (" + why + ")") +
                        (credentials ? "" : "; " + login_hint));
  }
  std::string realm = challenge.params["realm"];
  if (realm.rfind("https://", 0) != 0 && realm.rfind("http://", 0) != 0) {
    throw RegistryError("unauthorized: " + domain_ + " names no usable token realm ('" + realm + "')");
  }
  std::vector<std::pair<std::string, std::string>> query;
  if (challenge.params.count("service")) query.emplace_back("service", challenge.params["service"]);
  // The scope this request needs (a scope may list several, separated by spaces).
  std::string wanted = scope.empty() ? challenge.params["scope"] : scope;
  std::stringstream scopes(wanted);
  for (std::string one; scopes >> one;) query.emplace_back("scope", one);
  Request token_request;
  token_request.url = add_query(realm, query);
  std::string basic;
  if (credentials && !credentials->username.empty()) {
    basic = "Basic " + base64_encode(credentials->username + ":" + credentials->password);
  }
  Transfer t(token_request, basic, ca_bundle(), options_.tls_verify, options_.timeout_seconds, stats_, share_);
  t.wait_headers();
  if (t.status() == 401 || t.status() == 403) {
    if (!credentials) throw RegistryError("unauthorized: " + domain_ + " needs credentials: " + login_hint);
    throw RegistryError("unauthorized: the token service " + url_parts(realm).host + " rejected the user and password of " +
                        credentials->username + " from " + credentials->source);
  }
  if (t.status() != 200) {
    throw RegistryError("token service " + realm + " answered HTTP " + std::to_string(t.status()) + ": " +
                        error_detail(t.error_body()));
  }
  auto doc = nlohmann::json::parse(t.read_all(1 << 20, "token answer"), nullptr, false);
  std::string token;
  if (doc.is_object()) {
    token = doc.value("token", "");
    if (token.empty()) token = doc.value("access_token", "");
  }
  if (token.empty()) throw RegistryError("token service " + realm + " answered without a token");
  std::lock_guard lock(mutex_);
  auth_by_scope_[wanted] = "Bearer " + token;
}

std::unique_ptr<Client::Transfer> Client::send(Request request) {
  const std::string registry_origin = url_parts(base_url()).origin();
  bool authenticated = false;
  std::string original_url = request.url;
  for (int attempt = 0; attempt <= kMaxRedirects + 2; ++attempt) {
    bool same_host = url_parts(request.url).origin() == registry_origin;
    // Authorization goes to the registry's own origin only: never to where a redirect points.
    std::string auth = same_host ? authorization(request.scope) : "";
    auto t = std::make_unique<Transfer>(request, auth, ca_bundle(), options_.tls_verify, options_.timeout_seconds,
                                        stats_, share_);
    t->wait_headers();
    long status = t->status();
    if (status == 401 && same_host && !authenticated) {
      std::string challenge = t->header("www-authenticate");
      if (challenge.empty()) throw RegistryError("unauthorized: " + domain_ + " answered 401 without a challenge");
      authenticate(challenge, request.scope, false);  // a cached token may have expired: fetch a new one
      authenticated = true;
      continue;
    }
    if (status == 401) {
      std::string challenge = t->header("www-authenticate");
      authenticate(challenge.empty() ? "Bearer" : challenge, request.scope, true);  // throws: the new auth failed too
    }
    if (status >= 300 && status < 400 && status != 304 && request.follow_redirects) {
      std::string location = t->header("location");
      if (location.empty()) throw RegistryError(request.url + ": redirect without a Location");
      request.url = resolve_url(request.url, location);
      continue;
    }
    return t;
  }
  throw RegistryError(original_url + ": too many redirects or authentication rounds");
}

namespace {

[[noreturn]] void fail_status(Client::Transfer& t, const std::string& what, const std::string& domain) {
  long status = t.status();
  std::string detail = error_detail(t.error_body());
  if (status == 404) throw RegistryError(what + " not found on " + domain + (detail.empty() ? "" : " (" + detail + ")"));
  if (status == 403) throw RegistryError("denied: " + domain + " refuses " + what + (detail.empty() ? "" : " (" + detail + ")"));
  throw RegistryError(what + ": " + domain + " answered HTTP " + std::to_string(status) +
                      (detail.empty() ? "" : " (" + detail + ")"));
}

std::string pull_scope(const std::string& repository) { return "repository:" + repository + ":pull"; }
std::string push_scope(const std::string& repository) { return "repository:" + repository + ":pull,push"; }

}  // namespace

RemoteSource::Manifest Client::get_manifest(const std::string& repository, const std::string& reference,
                                            size_t max_bytes) {
  Request r;
  r.url = base_url() + "/v2/" + repository + "/manifests/" + reference;
  r.headers.push_back(kManifestAccept);
  r.scope = pull_scope(repository);
  auto t = send(r);
  std::string what = "manifest " + repository + (reference.rfind("sha256:", 0) == 0 ? "@" : ":") + reference;
  if (t->status() != 200) fail_status(*t, what, domain_);
  RemoteSource::Manifest m;
  m.bytes = t->read_all(max_bytes, what);
  m.media_type = t->header("content-type");
  m.digest = image_detail::sha256_digest(m.bytes);
  std::string expected = reference.rfind("sha256:", 0) == 0 ? reference : t->header("docker-content-digest");
  if (!expected.empty() && expected.rfind("sha256:", 0) == 0 && expected != m.digest) {
    throw RegistryError("digest mismatch for " + what + ": expected " + expected + ", the content is " + m.digest);
  }
  return m;
}

namespace {

class TransferStream : public BlobStream {
 public:
  explicit TransferStream(std::unique_ptr<Client::Transfer> t) : t_(std::move(t)) {}
  size_t read(void* buffer, size_t size) override { return t_->read(buffer, size); }

 private:
  std::unique_ptr<Client::Transfer> t_;
};

}  // namespace

std::unique_ptr<BlobStream> Client::get_blob(const std::string& repository, const std::string& digest, uint64_t) {
  Request r;
  r.url = base_url() + "/v2/" + repository + "/blobs/" + digest;
  r.scope = pull_scope(repository);
  auto t = send(r);
  if (t->status() != 200) fail_status(*t, "blob " + repository + "@" + digest, domain_);
  return std::make_unique<TransferStream>(std::move(t));
}

bool Client::blob_exists(const std::string& repository, const std::string& digest) {
  Request r;
  r.method = "HEAD";
  r.url = base_url() + "/v2/" + repository + "/blobs/" + digest;
  r.scope = push_scope(repository);
  auto t = send(r);
  if (t->status() == 200) return true;
  if (t->status() == 404) return false;
  fail_status(*t, "blob " + repository + "@" + digest, domain_);
}

bool Client::mount_blob(const std::string& repository, const std::string& digest, const std::string& from) {
  Request r;
  r.method = "POST";
  r.url = add_query(base_url() + "/v2/" + repository + "/blobs/uploads/", {{"mount", digest}, {"from", from}});
  r.scope = push_scope(repository) + " " + pull_scope(from);
  r.follow_redirects = false;
  auto t = send(r);
  if (t->status() == 201) return true;
  if (t->status() == 202) {
    // Not mounted: the registry opened an upload session instead; cancel it.
    std::string location = t->header("location");
    if (!location.empty()) {
      Request cancel;
      cancel.method = "DELETE";
      cancel.url = resolve_url(t->url(), location);
      cancel.scope = push_scope(repository);
      cancel.follow_redirects = false;
      try {
        send(cancel);
      } catch (const RegistryError&) {
      }
    }
    return false;
  }
  fail_status(*t, "mounting " + digest + " from " + from + " into " + repository, domain_);
}

void Client::upload_blob(const std::string& repository, const std::string& digest, uint64_t size,
                         const BlobReader& read, uint64_t chunk_size) {
  Request start;
  start.method = "POST";
  start.url = base_url() + "/v2/" + repository + "/blobs/uploads/";
  start.scope = push_scope(repository);
  start.follow_redirects = false;
  auto t = send(start);
  std::string what = "uploading " + digest.substr(0, 19) + " to " + repository;
  if (t->status() != 202) fail_status(*t, what, domain_);
  std::string location = t->header("location");
  if (location.empty()) throw RegistryError(what + ": the registry gave no upload location");
  std::string url = resolve_url(t->url(), location);
  t.reset();
  stats_.blob_uploads.fetch_add(1, std::memory_order_relaxed);
  uint64_t offset = 0;
  if (chunk_size > 0) {
    // Chunked: PATCH each piece with its Content-Range, following the Location after each.
    while (offset < size) {
      uint64_t n = std::min<uint64_t>(chunk_size, size - offset);
      Request patch;
      patch.method = "PATCH";
      patch.url = url;
      patch.scope = start.scope;
      patch.follow_redirects = false;
      patch.headers = {"Content-Type: application/octet-stream",
                       "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1)};
      patch.body_size = n;
      uint64_t base = offset;
      patch.body = [&read, base](uint64_t at, char* buffer, size_t want) { return read(base + at, buffer, want); };
      auto p = send(patch);
      if (p->status() != 202) fail_status(*p, what, domain_);
      std::string next = p->header("location");
      if (!next.empty()) url = resolve_url(p->url(), next);
      offset += n;
    }
  }
  Request put;
  put.method = "PUT";
  put.url = add_query(url, {{"digest", digest}});
  put.scope = start.scope;
  put.follow_redirects = false;
  put.headers = {"Content-Type: application/octet-stream"};
  put.body_size = size - offset;
  uint64_t base = offset;
  put.body = [&read, base](uint64_t at, char* buffer, size_t want) { return read(base + at, buffer, want); };
  auto p = send(put);
  if (p->status() != 201) fail_status(*p, what, domain_);
}

void Client::put_manifest(const std::string& repository, const std::string& reference, const std::string& bytes,
                          const std::string& media_type) {
  Request r;
  r.method = "PUT";
  r.url = base_url() + "/v2/" + repository + "/manifests/" + reference;
  r.scope = push_scope(repository);
  r.follow_redirects = false;
  r.headers = {"Content-Type: " + media_type};
  r.body_size = bytes.size();
  r.body = [&bytes](uint64_t at, char* buffer, size_t want) {
    size_t n = std::min<size_t>(want, bytes.size() - std::min<size_t>(at, bytes.size()));
    std::memcpy(buffer, bytes.data() + at, n);
    return n;
  };
  auto t = send(r);
  if (t->status() != 201) fail_status(*t, "pushing the manifest " + repository + ":" + reference, domain_);
}

}  // namespace okd::registry
