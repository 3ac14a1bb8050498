#include "registry/base_resolver.h"

#include <cstdint>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "lint/image/detail.h"
#include "lint/reference.h"

namespace fs = std::filesystem;

namespace okd::registry {
namespace {

constexpr size_t kMaxConfigBytes = 4 << 20;  // an image config is a few KiB; refuse absurd ones

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> read_small_file(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  char buffer[16384];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    data.append(buffer, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) return std::nullopt;
  }
  return data;
}

// Temp file in the same directory, then rename: readers see the old file or the whole new one.
// A cache that cannot be written is not an error (the answer is still used for this run).
void write_atomically(const fs::path& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::string tmpl = (path.parent_path() / (".tmp-" + path.filename().string() + "-XXXXXX")).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return;
  bool ok = true;
  size_t done = 0;
  while (ok && done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) ok = false;
    else done += static_cast<size_t>(n);
  }
  ok = ::fchmod(fd, 0644) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmpl.c_str(), path.c_str()) != 0) ::unlink(tmpl.c_str());
}

std::string display_reference(const RemoteReference& ref) {
  std::string text = ref.text();
  return text.substr(9);  // without "docker://"
}

// One cached reference answer.
struct RefEntry {
  std::string manifest_digest, config_digest;
  int64_t fetched = 0;
};

class Cache {
 public:
  explicit Cache(fs::path dir) : dir_(std::move(dir)) {}
  bool enabled() const { return !dir_.empty(); }

  fs::path ref_path(const std::string& key) const {
    return dir_ / "refs" / (image_detail::sha256_digest(key).substr(7) + ".json");
  }
  fs::path config_path(const std::string& digest) const {
    return dir_ / "configs" / "sha256" / image_detail::digest_hex(digest, "config digest");
  }

  std::optional<RefEntry> read_ref(const std::string& key) const {
    if (!enabled()) return std::nullopt;
    std::optional<std::string> text = read_small_file(ref_path(key), 64 << 10);
    if (!text) return std::nullopt;
    nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
    // Anything but a well-formed entry for this very key is ignored (and replaced on fetch).
    if (doc.is_discarded() || !doc.is_object() || doc.value("key", "") != key) return std::nullopt;
    RefEntry e;
    e.manifest_digest = doc.value("manifest", "");
    e.config_digest = doc.value("config", "");
    e.fetched = doc.value("fetched", int64_t{0});
    if (!valid_digest(e.config_digest) || !valid_digest(e.manifest_digest) || e.fetched <= 0) return std::nullopt;
    return e;
  }

  void write_ref(const std::string& key, const RefEntry& e) const {
    if (!enabled()) return;
    nlohmann::json doc = {{"key", key}, {"manifest", e.manifest_digest}, {"config", e.config_digest}, {"fetched", e.fetched}};
    write_atomically(ref_path(key), doc.dump() + "\n");
  }

  // The config blob, only when its bytes still hash to its digest.
  std::optional<std::string> read_config(const std::string& digest) const {
    if (!enabled() || !valid_digest(digest)) return std::nullopt;
    std::optional<std::string> bytes = read_small_file(config_path(digest), kMaxConfigBytes);
    if (!bytes || image_detail::sha256_digest(*bytes) != digest) return std::nullopt;
    return bytes;
  }

  void write_config(const std::string& digest, const std::string& bytes) const {
    if (!enabled() || image_detail::sha256_digest(bytes) != digest) return;
    write_atomically(config_path(digest), bytes);
  }

 private:
  static bool valid_digest(const std::string& digest) {
    try {
      image_detail::digest_hex(digest, "digest");
      return true;
    } catch (const ImageError&) {
      return false;
    }
  }

  fs::path dir_;
};

std::string age_text(int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  if (seconds < 172800) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " days";
}

}  // namespace

fs::path default_base_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg && fs::path(xdg).is_absolute()) return fs::path(xdg) / "okdlint" / "bases";
  const char* home = std::getenv("HOME");
  if (home && *home) return fs::path(home) / ".cache" / "okdlint" / "bases";
  return {};
}

std::optional<RemoteReference> base_fetch_reference(std::string_view base, std::string_view proxy) {
  std::optional<ImageReference> ref = parse_image_reference(base);
  if (!ref) return std::nullopt;
  std::string text(base);
  if (ref->is_docker_hub() && !proxy.empty() && !is_under_proxy(base, proxy)) text = proxied_reference(*ref, proxy);
  return parse_remote_reference(text);
}

BaseResolver::BaseResolver(BaseResolverOptions options) : options_(std::move(options)) {
  if (options_.cache_dir.empty()) options_.cache_dir = default_base_cache_dir();
  if (options_.parallel == 0) options_.parallel = 1;
}

BaseResolver::~BaseResolver() = default;

uint64_t BaseResolver::requests() const {
  uint64_t n = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [domain, client] : clients_) n += client->stats().requests.load();
  return n;
}

Client& BaseResolver::client_for(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::unique_ptr<Client>& c = clients_[domain];
  if (!c) c = std::make_unique<Client>(domain, options_.client);
  return *c;
}

ResolvedBase BaseResolver::resolve_one(const RemoteReference& ref) {
  const Cache cache(options_.cache_dir);
  const std::string shown = display_reference(ref);
  const std::string key = ref.text() + " " + options_.platform;
  const bool by_digest = ref.reference.rfind("sha256:", 0) == 0;
  const int64_t now = now_seconds();
  ResolvedBase out;

  auto facts_from = [&](const std::string& config, const std::string& manifest_digest) {
    return base_facts_from_image_config(config, "registry " + shown + (by_digest ? "" : "@" + manifest_digest));
  };

  // 1. The cache: a digest answer forever, a tag answer within its lifetime.
  std::optional<RefEntry> entry = cache.read_ref(key);
  std::optional<std::string> cached_config = entry ? cache.read_config(entry->config_digest) : std::nullopt;
  if (entry && cached_config) {
    const int64_t age = now - entry->fetched;
    const bool fresh = by_digest || (age >= 0 && age < options_.tag_ttl_seconds);
    if (fresh || !options_.network) {
      try {
        out.facts = facts_from(*cached_config, entry->manifest_digest);
        out.from_cache = true;
        if (!fresh) out.warning = "using the cached answer from " + age_text(age) + " ago (no network lookup in this mode)";
        return out;
      } catch (const std::exception&) {
        // not a config after all: fetch it again below
      }
    }
  }
  if (!options_.network) {
    out.error = "not in the cache (" + options_.cache_dir.string() + "); run okdlint with --resolve-bases to fetch it";
    return out;
  }

  // 2. The registry: the manifest (index → the platform's manifest) and the config blob only.
  try {
    Client& client = client_for(ref.domain);
    RegistryImage image(client, ref);
    ImageLoadOptions load;
    load.platform = options_.platform;
    load.read_layers = false;
    load.max_json_bytes = kMaxConfigBytes;
    std::vector<LoadedImage> images = load_remote_images(image, load);
    if (images.empty()) throw ImageError("no image");
    const LoadedImage& img = images.front();
    std::string config_digest = img.config_digest.empty() ? image_detail::sha256_digest(img.config_bytes) : img.config_digest;
    out.facts = facts_from(img.config_bytes, img.manifest_digest);
    cache.write_config(config_digest, img.config_bytes);
    if (!img.manifest_digest.empty()) cache.write_ref(key, RefEntry{img.manifest_digest, config_digest, now});
    return out;
  } catch (const std::exception& e) {
    // The registry did not answer: an answer from the cache, however old, beats none.
    if (entry && cached_config) {
      try {
        out.facts = facts_from(*cached_config, entry->manifest_digest);
        out.from_cache = true;
        out.warning = std::string(e.what()) + "; using the cached answer from " + age_text(now - entry->fetched) + " ago";
        return out;
      } catch (const std::exception&) {
      }
    }
    out.facts.reset();
    out.error = e.what();
    return out;
  }
}

std::map<std::string, ResolvedBase> BaseResolver::resolve(const std::vector<std::string>& bases, std::string_view proxy) {
  std::map<std::string, ResolvedBase> out;
  std::vector<std::pair<std::string, RemoteReference>> todo;  // fetch reference text → reference
  std::map<std::string, std::string> fetch_of;                // base → fetch reference text
  for (const std::string& base : bases) {
    std::optional<RemoteReference> ref = base_fetch_reference(base, proxy);
    if (!ref) {
      out[base].error = "not an image reference";
      continue;
    }
    const std::string text = ref->text();
    fetch_of[base] = text;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!memo_.count(text) &&
        std::none_of(todo.begin(), todo.end(), [&](const auto& t) { return t.first == text; })) {
      todo.emplace_back(text, *ref);
    }
  }

  std::vector<ResolvedBase> results(todo.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < todo.size(); i = next++) results[i] = resolve_one(todo[i].second);
  };
  const size_t threads = std::min<size_t>(options_.parallel, todo.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  if (threads > 0) worker();
  for (std::thread& t : pool) t.join();

  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < todo.size(); ++i) memo_[todo[i].first] = std::move(results[i]);
  for (const auto& [base, text] : fetch_of) out[base] = memo_[text];
  return out;
}

}  // namespace okd::registry
