// BuildKit's AST.Dump(): the s-expression form its parser tests compare against.
#include <cstdint>
#include <cstdio>

#include "lint/dockerfile.h"
#include "lint/text.h"

namespace okd {
namespace {

// An approximation of Go's unicode.IsPrint for non-ASCII: letters, marks, numbers, punctuation
// and symbols print; other spaces, format and control characters, private use and
// non-characters are escaped.
bool go_is_print(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA0) return false;                       // C1 controls
  if (is_unicode_space(r) || r == 0xAD) return false;
  if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E) return false;
  if ((r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F)) return false;
  if (r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;     // private use
  if (r >= 0xF0000) return false;                   // supplementary private use
  if (r >= 0xE0000 && r <= 0xE007F) return false;   // tags
  return true;
}

std::string dump_instruction(const Instruction& ins) {
  std::string out = ascii_lower(ins.keyword);
  if (!ins.flags.empty()) {
    out += " [";
    for (size_t i = 0; i < ins.flags.size(); ++i) {
      if (i) out += ' ';
      out += go_quote(ins.flags[i].text);
    }
    out += ']';
  }
  for (const Word& w : ins.args) out += " " + go_quote(w.value);
  for (const Instruction& nested : ins.onbuild) out += " (" + dump_instruction(nested) + ")";
  return out;
}

}  // namespace

std::string go_quote(std::string_view s) {
  static const char* const kHex = "0123456789abcdef";
  std::string out = "\"";
  size_t pos = 0;
  while (pos < s.size()) {
    size_t width;
    uint32_t r = decode_utf8(s, pos, width);
    if (r == 0xFFFD && width == 1) {
      unsigned char b = static_cast<unsigned char>(s[pos]);
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
      pos += width;
      continue;
    }
    pos += width;
    if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
      continue;
    }
    if (go_is_print(r)) {
      append_utf8(out, r);
      continue;
    }
    switch (r) {
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    char buf[16];
    if (r < ' ' || r == 0x7F) std::snprintf(buf, sizeof buf, "\\x%02x", r);
    else if (r < 0x10000) std::snprintf(buf, sizeof buf, "\\u%04x", r);
    else std::snprintf(buf, sizeof buf, "\\U%08x", r);
    out += buf;
  }
  out += '"';
  return out;
}

std::string dump_buildkit(const ParsedDockerfile& parsed) {
  std::string out;
  for (const Instruction& ins : parsed.instructions) {
    if (!out.empty()) out += '\n';
    out += "(" + dump_instruction(ins) + ")";
  }
  return out;
}

}  // namespace okd
