#!/bin/bash
# The whole test suite, as CI runs it:
#  1. Release build with -Wall -Wextra -Werror, every test (unit, conformance, integration with
#     real git, skopeo, umoci, docker-registry on 127.0.0.1, and the slow suites that build and
#     run real images with podman: OKDLINT_SLOW_TESTS=0 leaves those out);
#  2. the same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer;
#  3. each libFuzzer target briefly on its seed corpus (OKDLINT_FUZZ_SECONDS, default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
stage_start=$SECONDS
stage_done() { echo "== $1 took $((SECONDS - stage_start)) s"; stage_start=$SECONDS; }

echo "== release build (-Werror) and all tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOKDLINT_WERROR=ON >/dev/null
ninja -C build -j"$jobs"
# The slow suites (label slow: podman builds of the acceptance cases, server images, okdlint's own
# image, the .deb in a fresh root) run unless OKDLINT_SLOW_TESTS=0; CI runs them on Debian 12.
exclude=()
[ "${OKDLINT_SLOW_TESTS:-1}" = 0 ] && { exclude=(-LE slow); echo "(slow suites skipped: OKDLINT_SLOW_TESTS=0)"; }
ctest --test-dir build --output-on-failure -j"$jobs" "${exclude[@]}"
stage_done "release build and tests"

echo "== sanitizer build (address, undefined) and unit tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOKDLINT_WERROR=ON -DOKDLINT_SANITIZE=ON >/dev/null
ninja -C build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^integration\.' -LE slow
stage_done "sanitizer build and unit tests"

echo "== fuzz targets (short run on the seed corpus)"
if command -v clang++ >/dev/null; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOKDLINT_FUZZ=ON >/dev/null
  fuzz_targets=$(for f in tests/fuzz/fuzz_*.cpp; do basename "$f" .cpp; done)
  # shellcheck disable=SC2086
  ninja -C build-fuzz -j"$jobs" $fuzz_targets
  for target in build-fuzz/tests/fuzz/fuzz_*; do
    name=$(basename "$target")
    work=$(mktemp -d)
    seeds=()
    [ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
    [ "$name" = fuzz_image_reader ] && seeds=(tests/data/hostile)  # the hostile catalogue
    "$target" -max_total_time="${OKDLINT_FUZZ_SECONDS:-30}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      "$work" "${seeds[@]}" 2>&1 | tail -n 2
    rm -rf "$work"
  done
else
  echo "skipped: clang++ is not installed (tools/setup-debian.sh installs it)"
fi
stage_done "fuzz targets"
echo "okdlint: all test stages passed"
