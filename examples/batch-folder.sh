#!/usr/bin/env bash
# Segments every video in a folder with otsuthreshold, one mask video per
# input; a file that fails is reported and skipped.
#
#   bash examples/batch-folder.sh IN_DIR OUT_DIR ["element chain"]
# e.g. "adaptivethreshold method=sauvola" as the chain. With EXAMPLE_OUT=dir
# and no arguments it makes two short clips of the built-in scene and one
# broken file, and runs on those (how the tests run it).
set -euo pipefail
chain="${3:-otsuthreshold}"
if [[ $# -ge 2 ]]; then
  in="$1"
  out="$2"
else
  in="${EXAMPLE_OUT:?give IN_DIR OUT_DIR}/in"
  out="${EXAMPLE_OUT}/out"
  mkdir -p "$in"
  for clip in a b; do
    "${IMAGESEG_SCENE:-imageseg-scene}" --size 320x180 --frames "${EXAMPLE_FRAMES:-20}" |
      gst-launch-1.0 -q fdsrc fd=0 ! rawvideoparse format=rgb width=320 height=180 framerate=30/1 \
        ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink location="$in/$clip.webm"
  done
  echo "not a video" >"$in/broken.webm"
fi
mkdir -p "$out"

done_count=0
failed=()
for f in "$in"/*; do
  [[ -f "$f" ]] || continue
  name="$(basename "${f%.*}")"
  if gst-launch-1.0 -q filesrc location="$f" ! decodebin ! videoconvert ! $chain \
      ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink location="$out/$name-mask.webm" \
      >/dev/null 2>&1; then
    echo "ok      $f -> $out/$name-mask.webm"
    done_count=$((done_count + 1))
  else
    echo "failed  $f (skipped)"
    rm -f "$out/$name-mask.webm"
    failed+=("$f")
  fi
done
echo "$done_count done, ${#failed[@]} failed"
((done_count > 0))
