#!/bin/sh
# Makes a private "system plugin" folder: links to the named GStreamer
# plugins, each found in the first of the given plugin folders that has it,
# so a test process sees those plugins and no other (docs/testing.md,
# "Plugins seen by the tests"). Run by meson at configure time.
#   link-system-plugins.sh OUT_DIR "DIR1 DIR2" PLUGIN.so...
set -eu
out="$1"
dirs="$2"
shift 2
mkdir -p "$out"
for so in "$@"; do
  for d in $dirs; do
    if [ -f "$d/$so" ]; then
      ln -sf "$d/$so" "$out/$so"
      break
    fi
  done
  [ -e "$out/$so" ] || { echo "$so not found in $dirs" >&2; exit 1; }
done
