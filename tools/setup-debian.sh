#!/bin/bash
# Installs what okdlint needs to build and test on Debian 12 or 13, from Debian's packages only.
# Idempotent: packages already present are left as they are.
#   tools/setup-debian.sh               # build and test dependencies
#   tools/setup-debian.sh --build-only  # what building okdlint and its .deb needs (the Containerfile)
set -euo pipefail
build_only=false
[ "${1:-}" = --build-only ] && build_only=true
build_packages=(
  build-essential cmake ninja-build pkg-config git
  libarchive-dev nlohmann-json3-dev libre2-dev libcli11-dev libfmt-dev libgtest-dev libgmock-dev
  libyaml-cpp-dev libssl-dev
  libisal-dev    # ISA-L inflate: gzip layers are the bottleneck of image scans
  libzstd-dev    # zstd layers
  # libarchive.a is linked statically: its own dependencies' link-time files (.so symlinks, .pc)
  # come only with their -dev packages (pkg-config --static --libs libarchive lists them)
  zlib1g-dev liblzma-dev libbz2-dev nettle-dev libxml2-dev liblz4-dev libacl1-dev
  libcurl4-openssl-dev  # registry/: the OCI distribution client
  file           # cpack -G DEB: finds the executables whose libraries dpkg-shlibdeps declares
)
test_packages=(
  # tests: real peers and fixtures (skipped with a reason where absent, never in CI)
  skopeo umoci docker-registry curl libcap2-bin python3 python3-jsonschema busybox-static
  libarchive-tools isal zstd clang libclang-rt-dev pre-commit podman
  apache2-utils python3-jwt python3-cryptography openssl  # registry tests: htpasswd -B, token JWTs, test CA
  jq debootstrap  # tests/support/run-as-okd.sh reads the bundle config; tools/debian-minbase.sh
  npm python3-yaml  # tests/integration/ci_files.sh: @action-validator/cli from npm; YAML for jsonschema
)
packages=("${build_packages[@]}")
$build_only || packages+=("${test_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  # A machine with Node.js from elsewhere (NodeSource, nvm) has npm but not Debian's package, whose
  # node-* dependencies would conflict with that nodejs.
  [ "$p" = npm ] && command -v npm >/dev/null && continue
  # GitHub's runners bring a newer CMake of their own.
  [ "$p" = cmake ] && command -v cmake >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# skopeo and umoci refuse to work without a signature policy; a test machine accepts anything.
if ! $build_only && [ ! -f /etc/containers/policy.json ] && [ "$(id -u)" -eq 0 ]; then
  mkdir -p /etc/containers
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > /etc/containers/policy.json
fi
if $build_only; then echo "okdlint: build dependencies are installed"
else echo "okdlint: build and test dependencies are installed"; fi
