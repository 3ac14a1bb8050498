#include "lint/source.h"

#include <algorithm>
#include <cstdint>

namespace okd {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  bool ascii = true;
  for (uint32_t i = 0; i < text_.size(); ++i) {
    auto c = static_cast<unsigned char>(text_[i]);
    if (c & 0x80) ascii = false;
    if (c == '\n') {
      line_starts_.push_back(i + 1);
      line_is_ascii_.push_back(ascii);
      ascii = true;
    }
  }
  line_is_ascii_.push_back(ascii);
}

Position SourceFile::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  uint32_t start = line_starts_[line - 1];
  uint32_t column = 1;
  // A UTF-8 byte order mark is invisible in editors: it is not a column.
  if (line_is_ascii_[line - 1]) return {offset, line, offset - start + 1};
  if (line == 1 && offset >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;
  for (uint32_t i = start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return {offset, line, column};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  std::string_view view(text_.data() + start, end - start);
  if (!view.empty() && view.back() == '\n') view.remove_suffix(1);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

uint32_t MappedText::source_begin(size_t b) const {
  if (b >= text.size() || runs.empty()) return end_origin;
  auto it = std::upper_bound(runs.begin(), runs.end(), b, [](size_t i, const Run& r) { return i < r.text_index; });
  const Run& run = *(it - 1);
  return run.source + static_cast<uint32_t>(b - run.text_index);
}

void MappedText::append_source(std::string_view source_text, uint32_t begin, uint32_t end) {
  if (end <= begin) return;
  auto index = static_cast<uint32_t>(text.size());
  if (runs.empty() || runs.back().source + (index - runs.back().text_index) != begin) runs.push_back({index, begin});
  text.append(source_text.substr(begin, end - begin));
  end_origin = end;
}

void MappedText::append(const MappedText& other) {
  auto base = static_cast<uint32_t>(text.size());
  for (const Run& r : other.runs) {
    if (!runs.empty() && runs.back().source + (base + r.text_index - runs.back().text_index) == r.source) continue;
    runs.push_back({base + r.text_index, r.source});
  }
  text += other.text;
  end_origin = other.end_origin;
}

MappedText MappedText::substr(size_t b, size_t e) const {
  MappedText out;
  e = std::min(e, text.size());
  b = std::min(b, e);
  out.text = text.substr(b, e - b);
  if (b < e) {
    auto first = std::upper_bound(runs.begin(), runs.end(), b, [](size_t i, const Run& r) { return i < r.text_index; }) - 1;
    out.runs.push_back({0, first->source + static_cast<uint32_t>(b - first->text_index)});
    for (auto it = first + 1; it != runs.end() && it->text_index < e; ++it) {
      out.runs.push_back({static_cast<uint32_t>(it->text_index - b), it->source});
    }
    out.end_origin = source_end(e);
  } else {
    out.end_origin = source_begin(b);
  }
  return out;
}

}  // namespace okd
