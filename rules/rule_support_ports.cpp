// rule_support.h, section Ports: privileged ports, where they appear, and remapping them together
// with the listen setting. Split out of rule_support.cpp (issue 11).
#include "rules/rule_support.h"

#include <cctype>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>

#include "lint/text.h"

namespace okd {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

}  // namespace

// ---- Ports ----

std::optional<int> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return std::nullopt;
  return value;
}

std::optional<int> listen_address_port(std::string_view text) {
  size_t scheme = text.find("://");
  if (scheme != std::string_view::npos) {
    for (char c : text.substr(0, scheme)) {
      if (!is_name_char(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
    }
    text = text.substr(scheme + 3);
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  bool host_ok = host.empty() || host == "*" || host == "localhost";
  if (!host_ok && host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host_ok = std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
      return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    });
  }
  if (!host_ok) {
    int parts = 0;
    size_t pos = 0;
    host_ok = true;
    while (host_ok && pos <= host.size()) {
      size_t dot = host.find('.', pos);
      std::string_view part = host.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
      std::optional<int> octet = parse_port(part);
      host_ok = part.size() <= 3 && octet && *octet <= 255;
      ++parts;
      if (dot == std::string_view::npos) break;
      pos = dot + 1;
    }
    host_ok = host_ok && parts == 4;
  }
  if (!host_ok) return std::nullopt;
  return parse_port(text.substr(colon + 1));
}

namespace {

// Adds a listen-argument site whose port digits sit in the raw word after byte `skip_raw`.
void add_listen_site(const ContainerfileContext& ctx, const Instruction* ins, const ShellWord& word, size_t skip_raw,
                     int port, std::string written, std::vector<PortSite>& out) {
  PortSite site;
  site.kind = PortSiteKind::Listen;
  site.instruction = ins;
  site.word_begin = word.range.begin.offset + static_cast<uint32_t>(std::min(skip_raw, size_t(word.range.size())));
  site.word_end = word.range.end.offset;
  site.first = site.last = port;
  site.written = std::move(written);
  site.range = word.range;
  if (auto digits = locate_number(ctx, ins, site.word_begin, site.word_end, port)) {
    site.range = ctx.source.range(digits->first, digits->second);
  }
  out.push_back(std::move(site));
}

bool is_port_option(std::string_view option) {
  if (option == "-p") return true;
  if (!option.starts_with("--")) return false;
  return ascii_lower(option).ends_with("port");
}

void listen_sites(const ContainerfileContext& ctx, const Instruction* ins, std::vector<PortSite>& out) {
  for (const SimpleCommand& command : ctx.model.commands(ins)) {
    const std::vector<ShellWord>& argv = command.argv;
    for (size_t k = 1; k < argv.size(); ++k) {
      const ShellWord& w = argv[k];
      if (!w.literal) continue;
      std::string_view v = w.value;
      std::string_view raw = ctx.text(w.range);
      if (v.starts_with("--") && v.find('=') != std::string_view::npos) {
        size_t eq = v.find('=');
        std::string_view value = v.substr(eq + 1);
        size_t raw_eq = raw.find('=');
        std::optional<int> port = is_port_option(v.substr(0, eq)) ? parse_port(value) : listen_address_port(value);
        if (port && is_privileged_port(*port)) {
          size_t skip = raw_eq == std::string_view::npos ? 0 : raw_eq + 1;
          size_t raw_colon = raw.rfind(':');
          if (!is_port_option(v.substr(0, eq)) && raw_colon != std::string_view::npos) skip = std::max(skip, raw_colon + 1);
          add_listen_site(ctx, ins, w, skip, *port, std::string(v), out);
        }
      } else if (is_port_option(v) && k + 1 < argv.size() && argv[k + 1].literal) {
        std::optional<int> port = parse_port(argv[k + 1].value);
        if (port && is_privileged_port(*port)) {
          add_listen_site(ctx, ins, argv[k + 1], 0, *port, std::string(v) + " " + argv[k + 1].value, out);
          ++k;
        }
      } else if (std::optional<int> port = listen_address_port(v); port && is_privileged_port(*port)) {
        size_t colon = raw.rfind(':');
        add_listen_site(ctx, ins, w, colon == std::string_view::npos ? 0 : colon + 1, *port, std::string(v), out);
      }
    }
  }
}

}  // namespace

std::vector<PortSite> privileged_port_sites(const ContainerfileContext& ctx) {
  std::vector<PortSite> out;
  const BuildModel& model = ctx.model;
  if (!model.target) return out;
  for (const ExposedPort& p : model.stages[*model.target].exposed) {
    if (!p.first || !p.last || *p.first > 1023 || *p.last < 1) continue;
    PortSite site;
    site.kind = PortSiteKind::Expose;
    site.instruction = p.instruction;
    site.range = p.range;
    site.word_begin = p.range.begin.offset;
    site.word_end = p.range.end.offset;
    site.first = *p.first;
    site.last = *p.last;
    site.written = "EXPOSE " + std::string(ctx.text(p.range));
    out.push_back(std::move(site));
  }
  // Only the ENV value the image ends up with: a later ENV of the same name replaces it.
  std::map<std::string, std::pair<const Instruction*, const KeyValue*>> last_env;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "env") continue;
    for (const KeyValue& kv : ins->pairs) last_env[kv.key] = {ins, &kv};
  }
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "env") continue;
    for (const KeyValue& kv : ins->pairs) {
      if (ascii_upper(kv.key).find("PORT") == std::string::npos || last_env[kv.key].second != &kv) continue;
      Expanded e = process_word(kv.value, model.scope_at(ins), ctx.parsed.escape);
      if (!e.known) continue;
      std::optional<int> port = parse_port(e.value);
      if (!port || !is_privileged_port(*port)) continue;
      PortSite site;
      site.kind = PortSiteKind::Env;
      site.instruction = ins;
      site.range = kv.value_range;
      site.word_begin = kv.value_range.begin.offset;
      site.word_end = kv.value_range.end.offset;
      site.first = site.last = *port;
      site.written = "ENV " + kv.key + "=" + kv.value;
      out.push_back(std::move(site));
    }
  }
  for (std::string_view cmd : {"entrypoint", "cmd"}) {
    if (const Instruction* ins = effective_instruction(model, cmd)) listen_sites(ctx, ins, out);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PortSite& a, const PortSite& b) { return a.range.begin.offset < b.range.begin.offset; });
  return out;
}

std::optional<Fix> port_remap_fix(const ContainerfileContext& ctx, const std::vector<PortSite>& sites,
                                  const PortSite& site) {
  int delta = ctx.config.map_port(site.first) - site.first;
  int new_first = site.first + delta, new_last = site.last + delta;
  if (new_first < 1024 || new_last > 65535) return std::nullopt;
  std::vector<Edit> edits;
  auto add = [&](std::pair<uint32_t, uint32_t> digits, int port) {
    for (const Edit& e : edits) {
      if (e.begin < digits.second && digits.first < e.end) return;  // already moved (a shared ARG) or clashing
    }
    edits.push_back(Edit{digits.first, digits.second, std::to_string(port)});
  };
  Fix fix;
  fix.applicability = Applicability::Unsafe;
  // Moving EXPOSE alone changes the documentation, not what the application listens on: a remap
  // is offered only when it also moves a listen setting the file shows (ENV *PORT*, an argument).
  bool moves_listen = site.kind != PortSiteKind::Expose;
  if (site.first != site.last) {
    if (!moves_listen) return std::nullopt;
    auto first = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.first);
    auto last = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.last);
    if (!first || !last) return std::nullopt;
    add(*first, new_first);
    add(*last, new_last);
    fix.description = "move ports " + std::to_string(site.first) + "-" + std::to_string(site.last) + " to " +
                      std::to_string(new_first) + "-" + std::to_string(new_last);
  } else {
    auto own = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.first);
    if (!own) return std::nullopt;
    add(*own, new_first);
    for (const PortSite& other : sites) {
      if (&other == &site || other.first != site.first || other.last != site.last) continue;
      if (auto digits = locate_number(ctx, other.instruction, other.word_begin, other.word_end, other.first)) {
        add(*digits, new_first);
        moves_listen = moves_listen || other.kind != PortSiteKind::Expose;
      }
    }
    if (!moves_listen) return std::nullopt;
    fix.description = "move port " + std::to_string(site.first) + " to " + std::to_string(new_first);
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  fix.edits = std::move(edits);
  return fix;
}

}  // namespace okd
