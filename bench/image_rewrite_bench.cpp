// okdlint rewrite beside the scan of the same image (bench/make_big_image.sh makes a ~1.1 GB one).
// Each run is its own child process, so peak RSS (ru_maxrss) belongs to that run alone:
//   scan               load_images (hash, decompress, list, merge), all cores
//   rewrite            load + plan + copy up + new gzip layer + blobs copied into OUT
//   rewrite --user N   the same with a uid that owns nothing: no copy-up, the floor of a rewrite
// Usage: image_rewrite_bench IMAGE OUTDIR   (writes OUTDIR/rewritten.oci.tar, removed at the end)
#include <optional>
#include <cstdint>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "lint/image/image.h"
#include "rewrite/image_plan.h"
#include "rewrite/image_writer.h"

namespace {

struct Mode {
  const char* name;
  bool rewrite;
  std::optional<uint32_t> user;
};

int run_once(const std::string& image_path, const std::string& out_path, const Mode& mode) {
  auto start = std::chrono::steady_clock::now();
  std::string detail;
  try {
    auto images = okd::load_images(image_path, {});
    if (mode.rewrite) {
      okd::ImageRewriteOptions options;
      options.user = mode.user;
      okd::ImagePlan plan = okd::plan_image_rewrite(images.front(), options);
      okd::RewriteResult result = okd::write_rewritten_image(images.front(), plan, out_path, {});
      uint64_t copied = 0;
      for (const auto& e : plan.entries) {
        if (e.type == okd::FileType::Regular && images.front().fs->find(e.source_path)) {
          copied += images.front().fs->find(e.source_path)->size;
        }
      }
      char buffer[160];
      std::snprintf(buffer, sizeof buffer, "  entries=%zu copied_up=%.0f MB new_layer=%.1f MB", result.entries,
                    copied / 1e6, result.layer_size / 1e6);
      detail = buffer;
    } else {
      uint64_t bytes = 0;
      for (const auto& layer : images.front().layers) bytes += layer.uncompressed_size;
      detail = "  uncompressed=" + std::to_string(bytes / 1000000) + " MB";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "image_rewrite_bench: %s\n", e.what());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("%-22s wall=%7.3f s  cpu=%7.3f s  peak_rss=%6.1f MB%s\n", mode.name, seconds, cpu,
              usage.ru_maxrss / 1024.0, detail.c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: image_rewrite_bench IMAGE OUTDIR\n");
    return 2;
  }
  std::string out_path = std::string(argv[2]) + "/rewritten.oci.tar";
  std::vector<Mode> modes = {{"scan", false, std::nullopt},
                             {"rewrite", true, std::nullopt},
                             {"rewrite --user 4242", true, 4242u},
                             {"scan (again)", false, std::nullopt}};
  int status_all = 0;
  for (const Mode& mode : modes) {
    pid_t child = fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) _exit(run_once(argv[1], out_path, mode));
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) status_all = 1;
  }
  std::remove(out_path.c_str());
  return status_all;
}
