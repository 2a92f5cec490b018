#!/usr/bin/env bash
# Configures (once) and builds imageseg in ./build (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
if [[ ! -f "$dir/build.ninja" ]]; then
  meson setup "$dir" "$@"
fi
meson compile -C "$dir"
