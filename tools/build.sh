#!/bin/bash
# Configures and builds okdlint into build/ (Release, warnings are errors). Prints the binary path.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOKDLINT_WERROR=ON >/dev/null
ninja -C build okdlint >&2
echo "$(pwd)/build/okdlint"
