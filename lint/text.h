// Small text helpers shared by the parser: Go's notion of Unicode white space, UTF-8 decoding the
// way Go's range loop does it (invalid bytes become U+FFFD), and the raw shell-word split
// BuildKit uses to find heredoc words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace okd {

// unicode.IsSpace for a code point.
bool is_unicode_space(uint32_t rune);
// unicode.IsSpace(rune(b)) for a single byte, as BuildKit's byte loops call it (0x85, 0xA0 count).
bool is_unicode_space_byte(char b);
// Bytes of leading / trailing Unicode white space (strings.TrimLeftFunc / TrimRightFunc).
size_t leading_unicode_space(std::string_view s);
size_t trailing_unicode_space(std::string_view s);

// Decodes one code point at s[pos]; invalid or truncated sequences give U+FFFD with width 1.
uint32_t decode_utf8(std::string_view s, size_t pos, size_t& width);
void append_utf8(std::string& out, uint32_t rune);

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);
// ASCII blanks (space, tab, CR, LF, VT, FF) trimmed from both ends; words split on them.
std::string_view ascii_trim(std::string_view s);
std::vector<std::string_view> ascii_words(std::string_view s);
bool ascii_iequals(std::string_view a, std::string_view b);
// Levenshtein distance, for did-you-mean suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

// A word of a shell line split on unquoted blanks, quotes and escapes kept as written.
struct RawShellWord {
  size_t begin;
  size_t end;
};
std::vector<RawShellWord> split_raw_shell_words(std::string_view line);

// A heredoc terminator word after quote removal. quoted: some part was quoted, which turns off
// expansion of the body. nullopt: unbalanced quotes.
struct HeredocName {
  std::string value;
  int words = 1;
  bool quoted = false;
};
std::optional<HeredocName> unquote_heredoc_name(std::string_view raw);

}  // namespace okd
