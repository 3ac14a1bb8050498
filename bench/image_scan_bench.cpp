// Scans one image (bench/make_big_image.sh makes a big one) with the image reader, single-threaded
// and with every core, each run in its own child process so that peak RSS (ru_maxrss) belongs to
// that run alone. Prints wall time, MB/s of uncompressed and compressed layer bytes, entries, RSS.
// Usage: image_scan_bench IMAGE [THREADS...]   (default: 1 and 0 = all cores)
#include <algorithm>
#include <cstdint>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "lint/image/image.h"

namespace {

int run_once(const std::string& image_path, unsigned threads) {
  okd::ImageLoadOptions options;
  options.threads = threads;
  auto start = std::chrono::steady_clock::now();
  std::vector<okd::LoadedImage> images;
  try {
    images = okd::load_images(image_path, options);
  } catch (const okd::ImageError& e) {
    std::fprintf(stderr, "image_scan_bench: %s\n", e.what());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t uncompressed = 0, compressed = 0;
  size_t entries = 0, layers = 0;
  for (const auto& image : images) {
    for (const auto& layer : image.layers) {
      uncompressed += layer.uncompressed_size;
      compressed += layer.size;
    }
    layers += image.layers.size();
    if (image.fs) entries += image.fs->size();
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  unsigned used = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  // CPU time too: on a shared machine wall time also measures the neighbours.
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("threads=%-2u wall=%7.3f s  cpu=%7.3f s  uncompressed=%7.1f MB/s (%.0f MB)  compressed=%6.1f MB/s  "
              "layers=%zu entries=%zu  peak_rss=%.1f MB\n",
              used, seconds, cpu, uncompressed / 1e6 / seconds, uncompressed / 1e6, compressed / 1e6 / seconds, layers,
              entries, usage.ru_maxrss / 1024.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: image_scan_bench IMAGE [THREADS...]\n");
    return 2;
  }
  std::vector<unsigned> modes;
  for (int i = 2; i < argc; ++i) modes.push_back(static_cast<unsigned>(std::strtoul(argv[i], nullptr, 10)));
  if (modes.empty()) modes = {1, 0};
  int status_all = 0;
  for (unsigned threads : modes) {
    pid_t child = fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) _exit(run_once(argv[1], threads));
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) status_all = 1;
  }
  return status_all;
}
