// libFuzzer target: the parser, the model and the BuildKit dump must accept any bytes without
// crashing, hanging or reading out of bounds, and every range must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lint/dockerfile.h"
#include "lint/model.h"

namespace {

void check_range(const okd::Range& r, size_t size) {
  if (r.begin.offset > r.end.offset || r.end.offset > size) std::abort();
}

void check_instruction(const okd::Instruction& ins, size_t size) {
  check_range(ins.range, size);
  check_range(ins.full_range, size);
  for (const auto& w : ins.args) check_range(w.range, size);
  for (const auto& f : ins.flags) check_range(f.range, size);
  for (const auto& h : ins.heredocs) check_range(h.body_range, size);
  for (const auto& nested : ins.onbuild) check_instruction(nested, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  okd::SourceFile source("fuzz", std::string(reinterpret_cast<const char*>(data), size));
  okd::ParsedDockerfile parsed = okd::parse_dockerfile(source);
  for (const auto& ins : parsed.instructions) check_instruction(ins, size);
  (void)okd::dump_buildkit(parsed);
  okd::BuildModel model = okd::build_model(source, parsed, {});
  for (const auto& ins : parsed.instructions) {
    for (const auto& cmd : model.commands(&ins)) {
      for (const auto& w : cmd.argv) check_range(w.range, size);
    }
  }
  return 0;
}
