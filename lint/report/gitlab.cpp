// GitLab Code Quality report (a JSON array of issues shown in merge requests).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include <openssl/evp.h>

#include "lint/report/formats.h"
#include "lint/report/json_stream.h"

namespace okd::report {

namespace {

std::string_view gitlab_severity(Severity severity) {
  switch (severity) {
    case Severity::Error: return "major";
    case Severity::Warning: return "minor";
    case Severity::Info: return "info";
  }
  return "minor";
}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string sha256_hex(std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &digest_length) != 1) {
    throw std::runtime_error("sha256 failed in OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < digest_length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0F]);
  }
  return hex;
}

// What the fingerprint is anchored to: the finding's source line without its indentation, or for
// image findings the path or config field inside the image.
std::string anchor_text(const Diagnostic& d, const SourceFile* source) {
  if (source != nullptr && d.range.begin.line >= 1 && d.range.begin.line <= source->line_count()) {
    return std::string(trim(source->line_text(d.range.begin.line)));
  }
  return d.logical_location;
}

}  // namespace

std::string gitlab_fingerprint(std::string_view file, std::string_view rule_id, std::string_view message,
                               std::string_view anchor, uint32_t occurrence) {
  // NUL separators, so that moving text between fields changes the hash.
  std::string key;
  key.append(file).push_back('\0');
  key.append(rule_id).push_back('\0');
  key.append(message).push_back('\0');
  key.append(anchor);
  if (occurrence > 0) key.append("\0#", 2).append(std::to_string(occurrence));
  return sha256_hex(key);
}

void write_gitlab(const ReportInput& input, std::ostream& out) {
  // Streamed: each issue is printed as soon as it is formatted.
  JsonArrayStream report(out, 0);
  // Identical findings on identical lines would share a fingerprint and GitLab would drop all but
  // one; number repeats in report order instead. Repeats are counted by the first occurrence's
  // fingerprint (a hash of file, rule, message and anchor), not by copies of those texts.
  std::unordered_map<std::string, uint32_t> seen;
  for (const Diagnostic& d : input.diagnostics) {
    std::string anchor = anchor_text(d, source_of(input, d));
    std::string first = gitlab_fingerprint(d.file, d.rule_id, d.message, anchor, 0);
    uint32_t occurrence = seen[first]++;
    report.add({
        {"type", "issue"},
        {"description", message_with_location(d)},
        {"check_name", d.rule_id},
        {"fingerprint", occurrence == 0 ? first : gitlab_fingerprint(d.file, d.rule_id, d.message, anchor, occurrence)},
        {"severity", std::string(gitlab_severity(d.severity))},
        {"location", {{"path", d.file}, {"lines", {{"begin", d.range.begin.line}}}}},
    });
  }
  report.finish();
  out << '\n';
}

}  // namespace okd::report
