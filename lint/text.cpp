#include "lint/text.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace okd {

bool is_unicode_space(uint32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool is_unicode_space_byte(char b) { return is_unicode_space(static_cast<unsigned char>(b)); }

uint32_t decode_utf8(std::string_view s, size_t pos, size_t& width) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = byte(pos);
  width = 1;
  if (c < 0x80) return c;
  int need;
  uint32_t rune;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) { need = 1; rune = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { need = 2; rune = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { need = 3; rune = c & 0x07; min = 0x10000; }
  else return 0xFFFD;
  if (pos + static_cast<size_t>(need) >= s.size()) return 0xFFFD;
  for (int k = 1; k <= need; ++k) {
    unsigned char cc = byte(pos + k);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    rune = (rune << 6) | (cc & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) return 0xFFFD;
  width = need + 1;
  return rune;
}

void append_utf8(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

size_t leading_unicode_space(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t w;
    uint32_t r = decode_utf8(s, pos, w);
    if (!is_unicode_space(r)) break;
    pos += w;
  }
  return pos;
}

size_t trailing_unicode_space(std::string_view s) {
  // Common case: ASCII at the end, so walk backwards while it stays ASCII.
  size_t end = s.size();
  while (end > 0) {
    auto c = static_cast<unsigned char>(s[end - 1]);
    if (c >= 0x80) break;
    if (!is_unicode_space(c)) return s.size() - end;
    --end;
  }
  if (end == 0) return s.size();
  // Non-ASCII before the ASCII spaces: decode forward to find where the trailing run starts.
  size_t pos = 0, run_start = 0;
  bool in_run = false;
  while (pos < end) {
    size_t w;
    uint32_t r = decode_utf8(s, pos, w);
    if (is_unicode_space(r)) {
      if (!in_run) { run_start = pos; in_run = true; }
    } else {
      in_run = false;
    }
    pos += w;
  }
  return in_run ? s.size() - run_start : s.size() - end;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<RawShellWord> split_raw_shell_words(std::string_view line) {
  std::vector<RawShellWord> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n')) ++i;
    if (i >= line.size()) break;
    size_t begin = i;
    char quote = 0;
    while (i < line.size()) {
      char c = line[i];
      if (quote) {
        if (c == '\\' && quote == '"' && i + 1 < line.size()) { i += 2; continue; }
        if (c == quote) quote = 0;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n') break;
      if (c == '\\' && i + 1 < line.size()) { i += 2; continue; }
      if (c == '<' && i + 1 < line.size() && line[i + 1] == '<') {
        // BuildKit's processPossibleHeredoc: `<<` keeps the blanks after it in the same word.
        i += 2;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        continue;
      }
      if (c == '\'' || c == '"') quote = c;
      ++i;
    }
    words.push_back({begin, i});
  }
  return words;
}

std::optional<HeredocName> unquote_heredoc_name(std::string_view raw) {
  HeredocName out;
  char quote = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0; else out.value.push_back(c);
      continue;
    }
    if (quote == '"') {
      if (c == '"') { quote = 0; continue; }
      if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == '$')) {
        out.value.push_back(raw[++i]);
        continue;
      }
      out.value.push_back(c);
      continue;
    }
    if (c == '\'' || c == '"') { quote = c; out.quoted = true; continue; }
    if (c == '\\') {
      if (i + 1 < raw.size()) out.value.push_back(raw[++i]);
      continue;
    }
    out.value.push_back(c);
  }
  if (quote) return std::nullopt;
  return out;
}

namespace {
bool ascii_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
char ascii_fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string_view ascii_trim(std::string_view s) {
  while (!s.empty() && ascii_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && ascii_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> ascii_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && ascii_blank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !ascii_blank(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_fold(a[i]) != ascii_fold(b[i])) return false;
  }
  return true;
}

}  // namespace okd
