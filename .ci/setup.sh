#!/usr/bin/env bash
# Installs what building terra needs on Debian and is missing: cmake, clang
# and libclang (HiGHS builds from source; bindgen needs libclang). With
# --browser, also chromium, which the HTML report's browser test drives.
set -euo pipefail
browser=false
for arg in "$@"; do
  case "$arg" in
    --browser) browser=true ;;
    *) echo "usage: .ci/setup.sh [--browser]" >&2; exit 2 ;;
  esac
done
need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v clang >/dev/null 2>&1 || need+=(clang)
if command -v dpkg >/dev/null 2>&1; then
  dpkg -s libclang-dev >/dev/null 2>&1 || need+=(libclang-dev)
fi
if [ "$browser" = true ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "terra needs a Rust toolchain (cargo 1.85 or newer); install it with rustup" >&2
  exit 1
fi
