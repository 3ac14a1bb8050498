#include "lint/report/text.h"

#include "lint/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace okd::report {

char32_t decode_utf8(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  size_t length = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    ++i;
    return kReplacementCharacter;
  }
  if (i + length > text.size()) {
    ++i;
    return kReplacementCharacter;
  }
  for (size_t k = 1; k < length; ++k) {
    unsigned char next = byte(i + k);
    if ((next & 0xC0) != 0x80) {
      ++i;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < minimum || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++i;
    return kReplacementCharacter;
  }
  i += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) { okd::append_utf8(out, static_cast<uint32_t>(cp)); }

namespace {

using Interval = std::pair<char32_t, char32_t>;

// Not a full wcwidth: the blocks that actually show up in Containerfiles (accents, CJK text in
// labels, emoji in echo lines), so that the caret under a source line stays aligned.
constexpr std::array<Interval, 9> kZeroWidth{{
    {0x0300, 0x036F},  // combining diacritical marks
    {0x0483, 0x0489},
    {0x0591, 0x05BD},
    {0x200B, 0x200F},  // zero-width space, joiners, direction marks
    {0x2028, 0x202E},
    {0x2060, 0x2064},
    {0x20D0, 0x20FF},  // combining marks for symbols
    {0xFE00, 0xFE0F},  // variation selectors
    {0xFEFF, 0xFEFF},  // byte order mark
}};

constexpr std::array<Interval, 14> kWide{{
    {0x1100, 0x115F},    // Hangul Jamo
    {0x2E80, 0x303E},    // CJK radicals, punctuation
    {0x3041, 0x33FF},    // kana, CJK compatibility
    {0x3400, 0x4DBF},    // CJK extension A
    {0x4E00, 0x9FFF},    // CJK unified ideographs
    {0xA000, 0xA4CF},    // Yi
    {0xAC00, 0xD7A3},    // Hangul syllables
    {0xF900, 0xFAFF},    // CJK compatibility ideographs
    {0xFE30, 0xFE4F},    // CJK compatibility forms
    {0xFF00, 0xFF60},    // full-width forms
    {0xFFE0, 0xFFE6},
    {0x1F300, 0x1F64F},  // pictographs, emoticons
    {0x1F900, 0x1F9FF},  // supplemental symbols and pictographs
    {0x20000, 0x3FFFD},  // CJK extensions B and later
}};

template <size_t N>
bool in_table(const std::array<Interval, N>& table, char32_t cp) {
  return std::any_of(table.begin(), table.end(),
                     [cp](const Interval& interval) { return cp >= interval.first && cp <= interval.second; });
}

}  // namespace

int terminal_width(char32_t cp) {
  if (in_table(kZeroWidth, cp)) return 0;
  if (in_table(kWide, cp)) return 2;
  return 1;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t cp = decode_utf8(text, i);
    if (cp == kReplacementCharacter && i - start == 1) {
      append_utf8(out, cp);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

bool is_control(char32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0); }

// Text from rules, file names and image contents must not drive the terminal: control characters
// (escape sequences included) become U+FFFD. A line break continues on a line indented by
// `continuation`, so a diagnostic's block stays readable.
std::string terminal_safe(std::string_view text, std::string_view continuation) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t cp = decode_utf8(text, i);
    if (cp == '\n') {
      out.push_back('\n');
      out.append(continuation);
    } else if (cp == '\r' && i < text.size() && text[i] == '\n') {
      continue;
    } else if (cp == '\t') {
      out.push_back('\t');
    } else if (is_control(cp) || (cp == kReplacementCharacter && i - start == 1)) {
      append_utf8(out, kReplacementCharacter);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace okd::report
