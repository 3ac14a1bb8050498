// The rule ids and names the linked-in rules registered (rules/registry.cpp fills this in), so that
// every place a user names a rule — --select, --ignore, config `ignore`/`severity`, inline
// pragmas, `okdlint rules ID` — accepts any case and rejects unknown ids with a did-you-mean.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace okd {

void register_rule_id(std::string id, std::string name);

// The canonical id ("OKD101") for an id or name in any case; nullopt when no rule has it.
std::optional<std::string> canonical_rule_id(std::string_view id_or_name);

// "unknown rule id 'OKD1O1' (did you mean OKD101?)", or "... (okdlint rules lists them)" when
// nothing is close.
std::string unknown_rule_message(std::string_view given);

}  // namespace okd
