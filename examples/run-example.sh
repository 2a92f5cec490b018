#!/usr/bin/env bash
# Runs one example the way the docs show it, on short generated input, and
# fails if it fails or writes nothing. Used by the test suite:
#   run-example.sh BUILD_DIR NAME
set -euo pipefail
build="$1"
name="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GST_PLUGIN_PATH="$build/gst"

case "$name" in
  pgm-otsu)
    "$build/tools/imageseg-scene" --size 97x61 --pgm 5 >"$tmp/in.pgm"
    "$build/examples/pgm-otsu" "$tmp/in.pgm" "$tmp/out.pgm" | grep -q "Otsu threshold T ="
    # the output is a 255/0 mask of the same size
    head -c 15 "$tmp/out.pgm" | grep -q "97 61"
    tail -c $((97 * 61)) "$tmp/out.pgm" | od -An -tu1 -v | tr -s ' ' '\n' | grep -v -E '^(0|255|)$' && exit 1
    ;;
  read-messages)
    "$build/examples/read-messages" "videotestsrc num-buffers=5" >"$tmp/log"
    grep -q "^5 frames" "$tmp/log"
    [[ $(grep -c "kmeans: .* centers (.*) (.*) (.*)" "$tmp/log") == 5 ]]
    ;;
  read-regions)
    "$build/examples/read-regions" "videotestsrc num-buffers=5 pattern=ball" >"$tmp/log"
    grep -q "^5 frames" "$tmp/log"
    # the ball is one object on every frame
    [[ $(grep -c -- "-> 1 objects" "$tmp/log") == 5 ]]
    ;;
  object-counter.sh)
    EXAMPLE_FRAMES=20 EXAMPLE_OUT="$tmp" IMAGESEG_SCENE="$build/tools/imageseg-scene" \
      bash "$here/$name" >/dev/null
    [[ $(ls "$tmp"/objects-*.png | wc -l) == 20 ]]
    # one count per frame; the opening removes the ink, so the objects are
    # the shapes: the ball, and the square with the triangle (they overlap
    # in the first frames of the scene)
    [[ $(wc -l <"$tmp/counts.txt") == 20 ]]
    awk '$1 != 2 { exit 1 }' "$tmp/counts.txt"
    ;;
  *.sh)
    EXAMPLE_FRAMES=20 EXAMPLE_OUT="$tmp" IMAGESEG_SCENE="$build/tools/imageseg-scene" \
      bash "$here/$name"
    [[ -n "$(ls -A "$tmp")" ]] || { echo "$name wrote nothing" >&2; exit 1; }
    ;;
  *)
    echo "unknown example $name" >&2
    exit 2
    ;;
esac
echo "$name: ok"
