// Applying byte-range edits to a text: the mechanical half of `okdlint fix`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lint/diagnostic.h"

namespace okd {

// Applies edits that do not overlap each other, in offset order. Edits that overlap an edit
// already accepted are skipped and returned in *skipped. Two inserts at the same offset are kept
// in the order given.
std::string apply_edits(std::string_view text, std::vector<Edit> edits, std::vector<Edit>* skipped = nullptr);

}  // namespace okd
