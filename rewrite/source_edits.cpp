#include "rewrite/source_edits.h"

#include <algorithm>
#include <cstdint>

namespace okd {

std::string apply_edits(std::string_view text, std::vector<Edit> edits, std::vector<Edit>* skipped) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  std::string out;
  out.reserve(text.size());
  uint32_t cursor = 0;
  bool have_previous = false;
  uint32_t previous_end = 0;
  for (const Edit& e : edits) {
    bool overlaps = have_previous && e.begin < previous_end;
    if (e.end < e.begin || e.end > text.size() || overlaps) {
      if (skipped) skipped->push_back(e);
      continue;
    }
    out.append(text.substr(cursor, e.begin - cursor));
    out += e.replacement;
    cursor = e.end;
    previous_end = e.end;
    have_previous = true;
  }
  out.append(text.substr(cursor));
  return out;
}

}  // namespace okd
