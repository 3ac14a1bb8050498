// UTF-8 helpers shared by the reporters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace okd::report {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes the code point starting at text[i] and advances i past it. An invalid or truncated
// sequence (including overlongs and surrogates) yields U+FFFD and advances by one byte.
char32_t decode_utf8(std::string_view text, size_t& i);
void append_utf8(std::string& out, char32_t cp);

// Columns a code point takes in a terminal: 0 for combining marks and zero-width characters, 2 for
// East Asian wide and emoji, 1 otherwise. Control characters are handled by the caller.
int terminal_width(char32_t cp);

// C0 and C1 control characters and DEL.
bool is_control(char32_t cp);

// Text from rules, file names and image contents must not drive the terminal: control characters
// (escape sequences included) and invalid UTF-8 become U+FFFD; tabs stay; a line break continues
// on a line indented by `continuation`. The tty and github formats both use it.
std::string terminal_safe(std::string_view text, std::string_view continuation);

// Valid UTF-8 with invalid sequences replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace okd::report
