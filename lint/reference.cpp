#include "lint/reference.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace okd {
namespace {

// The grammar of distribution/reference (regexp.go), recognised by hand: compiling it as a regular
// expression cost about as much as the rest of a one-file lint. Each function below matches the
// whole of its argument against one upstream pattern, named after it:
//   alphanumeric    [a-z0-9]+
//   separator       (?:[._]|__|[-]+)
//   pathComponent   alphanumeric (separator alphanumeric)*
//   remoteName      pathComponent (/ pathComponent)*
//   domainNameComponent  [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   domainName      domainNameComponent (\. domainNameComponent)*
//   ipv6address     \[ [a-fA-F0-9:]+ \]
//   host            domainName | ipv6address
//   domainAndPort   host (: [0-9]+)?
//   name            (domainAndPort /)? remoteName
//   tag             [\w][\w.-]{0,127}
//   digest          [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}
//   reference       name (: tag)? (@ digest)?
// tests/unit/reference_test.cpp checks them against the patterns themselves (RE2) on random text.

constexpr size_t kRepositoryNameTotalLengthMax = 255;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_xdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

}  // namespace

namespace reference_grammar {

bool match_path_component(std::string_view s) {
  size_t i = 0;
  while (true) {
    const size_t run = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    if (i == run) return false;  // every separator sits between two alphanumeric runs
    if (i == s.size()) return true;
    const size_t sep = i;
    if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '.') {
      ++i;
    }
    if (i == sep) return false;
  }
}

bool match_remote_name(std::string_view s) {
  while (true) {
    const size_t slash = s.find('/');
    if (!match_path_component(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

bool match_domain_name(std::string_view s) {
  while (true) {
    const size_t dot = s.find('.');
    const std::string_view component = s.substr(0, dot);
    if (component.empty() || !is_alnum(component.front()) || !is_alnum(component.back())) return false;
    for (char c : component)
      if (!is_alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

bool match_domain_and_port(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : s.substr(1, close - 1))
      if (!is_xdigit(c) && c != ':') return false;
    host = {};
    s.remove_prefix(close + 1);
  } else {
    const size_t colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    if (!match_domain_name(host)) return false;
  }
  if (s.empty()) return true;  // no port
  if (s.size() < 2 || s.front() != ':') return false;
  return std::all_of(s.begin() + 1, s.end(), is_digit);
}

bool match_name(std::string_view s) {
  if (match_remote_name(s)) return true;
  const size_t slash = s.find('/');  // a domain never holds '/': it ends at the first one
  return slash != std::string_view::npos && match_domain_and_port(s.substr(0, slash)) &&
         match_remote_name(s.substr(slash + 1));
}

bool match_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_word(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

bool match_digest(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view algorithm = s.substr(0, colon), encoded = s.substr(colon + 1);
  if (encoded.size() < 32 || !std::all_of(encoded.begin(), encoded.end(), is_xdigit)) return false;
  // [A-Za-z][A-Za-z0-9]* components joined by one of -_+.
  bool need_alpha = true;
  for (char c : algorithm) {
    if (need_alpha) {
      if (!is_alpha(c)) return false;
      need_alpha = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      need_alpha = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  return !need_alpha;
}

// name (: tag)? (@ digest)?: neither a name nor a tag holds '@', and a tag holds neither ':' nor
// '/', so the only candidate tag is what follows the last ':' when no '/' comes after it.
bool match_reference(std::string_view s) {
  if (const size_t at = s.find('@'); at != std::string_view::npos) {
    if (!match_digest(s.substr(at + 1))) return false;
    s = s.substr(0, at);
  }
  if (match_name(s)) return true;
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || s.find('/', colon) != std::string_view::npos) return false;
  return match_tag(s.substr(colon + 1)) && match_name(s.substr(0, colon));
}

// [a-f0-9]{64}
bool is_identifier(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); });
}

// go-digest's format: [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+
bool match_digest_format(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view algorithm = s.substr(0, colon), encoded = s.substr(colon + 1);
  if (encoded.empty()) return false;
  for (char c : encoded)
    if (!is_alnum(c) && c != '=' && c != '_' && c != '-') return false;
  bool need_alnum = true;
  for (char c : algorithm) {
    if (is_lower_alnum(c)) need_alnum = false;
    else if (!need_alnum && (c == '.' || c == '+' || c == '_' || c == '-')) need_alnum = true;
    else return false;
  }
  return !need_alnum;
}

}  // namespace reference_grammar

namespace {

using namespace reference_grammar;

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// go-digest's Parse: a registered algorithm and an encoded part of exactly the right length in
// lowercase hex.
bool validate_digest(std::string_view digest, std::string* error) {
  const size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size())
    return fail(error, "invalid checksum digest format");
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view encoded = digest.substr(colon + 1);
  if (!match_digest_format(digest))
    return fail(error, "invalid checksum digest format");
  size_t hex_length = 0;
  if (algorithm == "sha256") hex_length = 64;
  else if (algorithm == "sha384") hex_length = 96;
  else if (algorithm == "sha512") hex_length = 128;
  else return fail(error, "unsupported digest algorithm");
  const bool lower_hex = std::all_of(encoded.begin(), encoded.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (encoded.size() != hex_length) return fail(error, "invalid checksum digest length");
  if (!lower_hex) return fail(error, "invalid checksum digest format");
  return true;
}

// splitDockerDomain: which part of the text is a registry host, with Hub names canonicalised.
struct DomainSplit {
  std::string domain;
  std::string remainder;
  bool explicit_domain = false;
};

DomainSplit split_docker_domain(std::string_view name) {
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos) {
    // A lone word is a Hub name even when it looks like a host ("localhost", "example.com").
    return {std::string(kDockerHubDomain), "library/" + std::string(name), false};
  }
  const std::string_view maybe_domain = name.substr(0, slash);
  const std::string_view maybe_remote = name.substr(slash + 1);
  DomainSplit split;
  if (maybe_domain == "localhost" ||
      maybe_domain.find_first_of(".:") != std::string_view::npos ||
      to_lower(maybe_domain) != maybe_domain) {
    split = {std::string(maybe_domain), std::string(maybe_remote), true};
    if (maybe_domain == "index.docker.io") split.domain = std::string(kDockerHubDomain);
  } else {
    split = {std::string(kDockerHubDomain), std::string(name), false};
  }
  if (split.domain == kDockerHubDomain && split.remainder.find('/') == std::string::npos)
    split.remainder = "library/" + split.remainder;
  return split;
}

}  // namespace

std::string ImageReference::name() const { return domain.empty() ? path : domain + "/" + path; }

std::optional<ImageReference> parse_image_reference(std::string_view text, std::string* error) {
  if (is_identifier(text)) {
    fail(error, "invalid repository name (" + std::string(text) +
                    "), cannot specify 64-byte hexadecimal strings");
    return std::nullopt;
  }
  const DomainSplit split = split_docker_domain(text);
  const std::string remote = split.remainder.substr(0, split.remainder.find(':'));
  if (to_lower(remote) != remote) {
    fail(error, "invalid reference format: repository name (" + remote + ") must be lowercase");
    return std::nullopt;
  }

  // distribution/reference's Parse() on the canonical text.
  const std::string canonical = split.domain + "/" + split.remainder;
  // Recognise, then split: the grammar leaves one way to do it. A digest follows
  // the only '@'; a tag follows the last ':' after the last '/'; a domain is everything before
  // the first '/' when that is a valid host[:port] and the rest a valid remote name.
  if (!match_reference(canonical)) {
    const std::string lowered = to_lower(canonical);
    if (lowered != canonical && match_reference(lowered))
      fail(error, "repository name must be lowercase");
    else
      fail(error, "invalid reference format");
    return std::nullopt;
  }
  std::string_view rest(canonical);
  std::string name, tag, digest;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  const size_t last_slash = rest.rfind('/');
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos &&
                                            (last_slash == std::string_view::npos || colon > last_slash)) {
    tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  name = std::string(rest);
  ImageReference ref;
  ref.original = std::string(text);
  ref.explicit_domain = split.explicit_domain;
  const size_t first_slash = name.find('/');
  const std::string_view head = std::string_view(name).substr(0, first_slash);
  if (first_slash != std::string::npos &&
      match_domain_and_port(head) && match_remote_name(std::string_view(name).substr(first_slash + 1))) {
    ref.domain = std::string(head);
    ref.path = name.substr(first_slash + 1);
  } else {
    ref.domain.clear();
    ref.path = name;
  }
  if (ref.path.size() > kRepositoryNameTotalLengthMax) {
    fail(error, "repository name must not be more than 255 characters");
    return std::nullopt;
  }
  if (!tag.empty()) ref.tag = tag;
  if (!digest.empty()) {
    if (!validate_digest(digest, error)) return std::nullopt;
    ref.digest = digest;
  }
  return ref;
}

// ---------------------------------------------------------------------------------------------
// registries.conf: a small TOML reader that understands just enough structure to find the
// [aliases] table and skip everything else safely (multi-line arrays, inline tables, strings).

namespace {

class TomlAliasReader {
 public:
  explicit TomlAliasReader(std::string_view text) : text_(text) {}

  std::map<std::string, std::string> read() {
    while (skip_blank_and_comments()) {
      if (peek() == '[') {
        read_table_header();
      } else {
        read_key_value();
      }
      skip_to_line_end();
    }
    return aliases_;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  std::vector<std::string> table_;  // current table's key path
  std::map<std::string, std::string> aliases_;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool starts_with(std::string_view s) const { return text_.substr(pos_).starts_with(s); }

  void skip_spaces() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }
  void skip_comment() {
    if (peek() == '#')
      while (!at_end() && peek() != '\n') ++pos_;
  }
  // Moves to the next statement; false at the end of the text.
  bool skip_blank_and_comments() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') ++pos_;
      else if (c == '#') skip_comment();
      else return true;
    }
    return false;
  }
  void skip_to_line_end() {
    while (!at_end() && peek() != '\n') ++pos_;
  }

  // A basic ("...") or literal ('...') string, single- or multi-line; pos_ is at the quote.
  std::string read_string() {
    const char quote = peek();
    const std::string_view triple = quote == '"' ? "\"\"\"" : "'''";
    const bool multiline = starts_with(triple);
    pos_ += multiline ? 3 : 1;
    if (multiline && peek() == '\n') ++pos_;  // a newline right after the opening is trimmed
    std::string out;
    while (!at_end()) {
      if (multiline ? starts_with(triple) : peek() == quote) {
        pos_ += multiline ? 3 : 1;
        return out;
      }
      const char c = peek();
      if (!multiline && c == '\n') return out;  // unterminated: stop at the line end
      if (quote == '"' && c == '\\' && pos_ + 1 < text_.size()) {
        const char e = text_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case '"': out.push_back('"'); break;
          case '\\': out.push_back('\\'); break;
          case 'u':
          case 'U': {
            const size_t digits = e == 'u' ? 4 : 8;
            const std::string_view hex = text_.substr(pos_, digits);
            pos_ += hex.size();
            append_utf8(out, hex);
            break;
          }
          default: out.push_back(e); break;  // includes line-ending backslash pieces
        }
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
    return out;
  }

  static void append_utf8(std::string& out, std::string_view hex) {
    unsigned long code = 0;
    for (char h : hex) {
      if (!std::isxdigit(static_cast<unsigned char>(h))) return;
      code = code * 16 + static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(h))
                                                         ? h - '0'
                                                         : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
    }
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x110000) {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  // key ( '.' key )*, each bare or quoted.
  std::vector<std::string> read_key_path() {
    std::vector<std::string> path;
    while (!at_end()) {
      skip_spaces();
      if (peek() == '"' || peek() == '\'') {
        path.push_back(read_string());
      } else {
        const size_t start = pos_;
        while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' ||
                             peek() == '-'))
          ++pos_;
        if (pos_ == start) break;
        path.emplace_back(text_.substr(start, pos_ - start));
      }
      skip_spaces();
      if (peek() != '.') break;
      ++pos_;
    }
    return path;
  }

  void read_table_header() {
    ++pos_;
    const bool array_table = peek() == '[';
    if (array_table) ++pos_;
    table_ = read_key_path();
    // An array-of-tables entry is never the aliases table itself.
    if (array_table) table_.push_back("[]");
  }

  void read_key_value() {
    std::vector<std::string> key = read_key_path();
    skip_spaces();
    if (peek() != '=') return;  // not a statement we understand; the line is skipped
    ++pos_;
    skip_spaces();
    std::vector<std::string> full = table_;
    full.insert(full.end(), key.begin(), key.end());
    if (full.size() == 2 && full[0] == "aliases" && (peek() == '"' || peek() == '\'')) {
      aliases_[full[1]] = read_string();
      return;
    }
    skip_value();
  }

  // Skips one value, including arrays and inline tables that span lines.
  void skip_value() {
    int depth = 0;
    while (!at_end()) {
      const char c = peek();
      if (c == '"' || c == '\'') {
        read_string();
        continue;
      }
      if (c == '#') {
        skip_comment();
        continue;
      }
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      if (c == '\n' && depth <= 0) return;
      ++pos_;
    }
  }
};

std::string read_file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Strips ":tag" (only after the last '/') and "@digest" from a name as written.
std::string_view strip_tag_and_digest(std::string_view name) {
  if (const size_t at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  const size_t last_slash = name.rfind('/');
  const size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash))
    name = name.substr(0, colon);
  return name;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

RegistryAliases RegistryAliases::parse(std::string_view toml_text) {
  RegistryAliases result;
  result.aliases = TomlAliasReader(toml_text).read();
  return result;
}

void RegistryAliases::merge(const RegistryAliases& later) {
  for (const auto& [name, value] : later.aliases) aliases[name] = value;
}

RegistryAliases RegistryAliases::load(const std::filesystem::path& containers_dir) {
  RegistryAliases result;
  std::error_code ec;
  const auto main_file = containers_dir / "registries.conf";
  if (std::filesystem::is_regular_file(main_file, ec)) result.merge(parse(read_file_text(main_file)));

  std::vector<std::filesystem::path> drop_ins;
  const auto drop_in_dir = containers_dir / "registries.conf.d";
  if (std::filesystem::is_directory(drop_in_dir, ec)) {
    for (std::filesystem::directory_iterator it(drop_in_dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".conf" && it->is_regular_file(type_ec)) drop_ins.push_back(it->path());
    }
  }
  std::sort(drop_ins.begin(), drop_ins.end(),
            [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
  for (const auto& file : drop_ins) result.merge(parse(read_file_text(file)));

  // An empty value erases the alias once all files are merged.
  std::erase_if(result.aliases, [](const auto& entry) { return entry.second.empty(); });
  return result;
}

std::optional<std::string> RegistryAliases::lookup(std::string_view short_name) const {
  const auto it = aliases.find(std::string(strip_tag_and_digest(short_name)));
  if (it == aliases.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool is_under_proxy(std::string_view reference_text, std::string_view proxy) {
  while (!proxy.empty() && proxy.back() == '/') proxy.remove_suffix(1);
  if (proxy.empty() || reference_text.size() <= proxy.size() + 1) return false;
  if (reference_text[proxy.size()] != '/') return false;
  const size_t host_end = std::min(proxy.find('/'), proxy.size());
  return iequals(reference_text.substr(0, host_end), proxy.substr(0, host_end)) &&
         reference_text.substr(host_end, proxy.size() - host_end) == proxy.substr(host_end);
}

std::string proxied_reference(const ImageReference& ref, std::string_view proxy) {
  while (!proxy.empty() && proxy.back() == '/') proxy.remove_suffix(1);
  std::string out(proxy);
  out += '/';
  out += ref.path;
  if (ref.tag) out += ":" + *ref.tag;
  if (ref.digest) out += "@" + *ref.digest;
  return out;
}

}  // namespace okd
