// An OCI distribution client on libcurl: the /v2/ API of one registry host, with Bearer token
// and Basic auth as the registry asks for them, manifests with their digests verified, blobs
// streamed (bounded memory, never to disk), uploads that skip or mount blobs the registry already
// has. Redirects are followed by hand and never carry Authorization to another host.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lint/image/image.h"
#include "registry/credentials.h"

namespace okd::registry {

// Every registry failure: one line that says what to do (log in, check the name, ...).
struct RegistryError : ImageError {
  using ImageError::ImageError;
};

struct ShareLocks;  // client.cpp: the locks of libcurl's share handle

struct ClientOptions {
  bool tls_verify = true;  // false also allows plain http when TLS does not answer
  std::string cert_dir;    // *.crt CA certificates to trust (default: the certs.d dirs of podman/docker)
  std::string authfile;    // default: auth_file_candidates("")
  long timeout_seconds = 60;  // connect timeout, and the longest a transfer may stall
};

// Bytes and requests, for figures and tests.
struct TransferStats {
  std::atomic<uint64_t> requests{0}, bytes_received{0}, bytes_sent{0}, blob_uploads{0}, blobs_skipped{0},
      blobs_mounted{0};
};

// "docker://host/repo:tag", "docker://host/repo@sha256:…" (or without "docker://"): Docker Hub
// names normalise as podman does (nginx → docker.io/library/nginx:latest).
struct RemoteReference {
  std::string domain;      // "docker.io", "127.0.0.1:5000"
  std::string repository;  // "library/nginx"
  std::string reference;   // tag or "sha256:…"
  std::string text() const;  // "docker://domain/repository:tag" (or @digest)
};
std::optional<RemoteReference> parse_remote_reference(std::string_view text, std::string* error = nullptr);
bool is_remote_reference(std::string_view text);  // starts with "docker://"

class Client {
 public:
  Client(std::string domain, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& domain() const { return domain_; }
  TransferStats& stats() { return stats_; }

  // The manifest or index at reference (tag or digest), verified against the digest asked for or
  // the Docker-Content-Digest header.
  RemoteSource::Manifest get_manifest(const std::string& repository, const std::string& reference, size_t max_bytes);
  // A blob streamed in order; the caller verifies its digest while decoding it.
  std::unique_ptr<BlobStream> get_blob(const std::string& repository, const std::string& digest, uint64_t size);

  // HEAD: whether the repository already has the blob.
  bool blob_exists(const std::string& repository, const std::string& digest);
  // Cross-repository mount (POST …/blobs/uploads/?mount=&from=): true when the registry mounted it.
  bool mount_blob(const std::string& repository, const std::string& digest, const std::string& from_repository);
  // Uploads a blob: one PUT when the registry allows it, else PATCH chunks of chunk_size bytes.
  // read(offset, buffer, size) fills the buffer from the blob at offset (returns bytes read).
  using BlobReader = std::function<size_t(uint64_t offset, char* buffer, size_t size)>;
  void upload_blob(const std::string& repository, const std::string& digest, uint64_t size, const BlobReader& read,
                   uint64_t chunk_size = 0);
  // PUT a manifest by tag or digest.
  void put_manifest(const std::string& repository, const std::string& reference, const std::string& bytes,
                    const std::string& media_type);

  class Transfer;
  struct Request;

 private:
  std::unique_ptr<Transfer> send(Request request);
  std::string base_url();
  std::string authorization(const std::string& scope);
  void authenticate(const std::string& challenge, const std::string& scope, bool had_token);
  std::string ca_bundle();

  std::string domain_, api_host_;
  ClientOptions options_;
  std::vector<std::string> auth_files_;
  std::mutex mutex_;  // guards what follows
  std::string scheme_;
  std::map<std::string, std::string> auth_by_scope_;  // scope → Authorization value
  std::string basic_;  // "Basic …" once the registry asked for Basic
  std::optional<std::string> ca_bundle_;
  TransferStats stats_;
  std::unique_ptr<ShareLocks> share_locks_;
  void* share_ = nullptr;  // CURLSH*
};

// RemoteSource over a Client: what load_remote_images reads.
class RegistryImage : public RemoteSource {
 public:
  RegistryImage(Client& client, RemoteReference reference) : client_(client), ref_(std::move(reference)) {}
  Manifest root_manifest(size_t max_bytes) override { return client_.get_manifest(ref_.repository, ref_.reference, max_bytes); }
  std::string manifest(const std::string& digest, size_t max_bytes) override {
    return client_.get_manifest(ref_.repository, digest, max_bytes).bytes;
  }
  std::unique_ptr<BlobStream> open_blob(const std::string& digest, uint64_t size) override {
    return client_.get_blob(ref_.repository, digest, size);
  }
  std::string display_name() const override { return ref_.text(); }
  const RemoteReference& reference() const { return ref_; }

 private:
  Client& client_;
  RemoteReference ref_;
};

}  // namespace okd::registry
