#!/usr/bin/env bash
# Binarises a photographed document with adaptivethreshold (Sauvola),
# which copes with the uneven light that defeats one global threshold.
#
#   bash examples/document-binarise.sh page.jpg page-bw.png
# Any still image GStreamer can decode works. With EXAMPLE_OUT=dir and no
# arguments it binarises the built-in scene's text (how the tests run it).
set -euo pipefail
if [[ $# -ge 2 ]]; then
  in="$1"
  out="$2"
else
  out="${EXAMPLE_OUT:?give INPUT OUTPUT}/binarised.png"
  in="${EXAMPLE_OUT}/page.png"
  "${IMAGESEG_SCENE:-imageseg-scene}" --size 640x360 --frames 1 |
    gst-launch-1.0 -q fdsrc fd=0 ! rawvideoparse format=rgb width=640 height=360 framerate=1/1 \
      ! videoconvert ! pngenc ! filesink location="$in"
fi

gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! video/x-raw,format=GRAY8 \
  ! adaptivethreshold method=sauvola block-size=51 k=0.2 \
  ! videoconvert ! pngenc ! filesink location="$out"
echo "wrote $out"
