#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR and checks what a user gets:
# gst-inspect-1.0 finds the plugin and its five elements, every element
# inspects cleanly (descriptions, property blurbs, enum nicks), and a program
# builds and runs against the installed headers, library and pkg-config file.
#   install-check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(realpath "$1")"
src="$(realpath "$2")"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null

plugin="$(find "$dest" -name 'libgstimageseg.so' | head -1)"
[[ -n "$plugin" ]] || { echo "plugin not installed" >&2; exit 1; }
[[ "$plugin" == "$dest$(pkg-config --variable=pluginsdir gstreamer-1.0)/libgstimageseg.so" ]] ||
  { echo "plugin not in GStreamer's plugin dir: $plugin" >&2; exit 1; }

export GST_PLUGIN_PATH="$(dirname "$plugin")" GST_PLUGIN_SYSTEM_PATH_1_0="" GST_REGISTRY_1_0="$dest/registry.bin"
out="$(gst-inspect-1.0 imageseg)"
checks=0
for e in otsuthreshold adaptivethreshold kmeansseg morphology hitmiss; do
  grep -q "^  $e: " <<<"$out" || { echo "gst-inspect-1.0 imageseg does not list $e" >&2; exit 1; }
  inspect="$(gst-inspect-1.0 "$e" 2>&1)"
  if grep -n -E '\(null\)|CRITICAL|WARNING' <<<"$inspect"; then
    echo "gst-inspect-1.0 $e is not clean" >&2
    exit 1
  fi
  # every property line "  name   : blurb" has a blurb
  if grep -E '^  [a-z-]+ *: *$' <<<"$inspect"; then
    echo "$e: a property without a description" >&2
    exit 1
  fi
  checks=$((checks + 1))
done

# the library through pkg-config, as an application would use it
pc="$(dirname "$(find "$dest" -name imageseg.pc | head -1)")"
export PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$dest"
cc -std=c11 "$src/examples/pgm-otsu.c" $(pkg-config --cflags --libs imageseg) -o "$dest/pgm-otsu"
libdir="$(dirname "$(find "$dest" -name 'libimageseg.so' | head -1)")"
printf 'P5\n4 1\n255\n\x00\x10\xe0\xf0' >"$dest/in.pgm"
LD_LIBRARY_PATH="$libdir" "$dest/pgm-otsu" "$dest/in.pgm" "$dest/out.pgm" | grep -q "T = 17"
checks=$((checks + 1))
echo "install-check: $checks passed, 0 failed"
