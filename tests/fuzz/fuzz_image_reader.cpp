// libFuzzer target for the image reader: the input is one file (tar / gzip / zstd / JSON), read
// with tiny limits. Only ImageError is an acceptable failure; anything else (another exception,
// a crash, a sanitizer report, a hang) is a bug. Good seeds: tests/data/hostile/ and the files of
// tests/make_test_image.sh, e.g.  fuzz_image_reader -max_len=65536 CORPUS tests/data/hostile
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "lint/image/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An anonymous in-memory file: the reader opens inputs by path, /proc/self/fd/N is one.
  int fd = ::memfd_create("okdlint-fuzz-image", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) {
      ::close(fd);
      return 0;
    }
    written += static_cast<size_t>(n);
  }
  okd::ImageLoadOptions options;
  options.max_layer_bytes = 4 << 20;
  options.max_ratio = 100;
  options.ratio_grace_bytes = 64 << 10;
  options.max_json_bytes = 1 << 20;
  options.max_json_depth = 32;
  options.threads = 1;
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    for (const auto& image : okd::load_images(path, options)) {
      if (image.fs) {
        // Exercise the view's queries on whatever the input produced.
        image.fs->for_each([&](std::string_view p, const okd::FileEntry&) {
          (void)image.fs->resolve(p);
          (void)image.fs->hardlink_group(p);
        });
        (void)image.fs->content("/etc/passwd");
      }
      (void)image.uid_of("root");
    }
  } catch (const okd::ImageError&) {
  }
  (void)okd::looks_like_image(path);
  ::close(fd);
  return 0;
}
