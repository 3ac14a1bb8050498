#include "lint/source.h"

#include <algorithm>

namespace okd {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

Position SourceFile::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  uint32_t start = line_starts_[line - 1];
  uint32_t column = 1;
  // A UTF-8 byte order mark is invisible in editors: it is not a column.
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

MappedText MappedText::substr(size_t b, size_t e) const {
  MappedText out;
  e = std::min(e, text.size());
  b = std::min(b, e);
  out.text = text.substr(b, e - b);
  out.origin.assign(origin.begin() + static_cast<long>(b), origin.begin() + static_cast<long>(e));
  out.end_origin = source_end(e);
  if (b == e) out.end_origin = source_begin(b);
  return out;
}

}  // namespace okd
