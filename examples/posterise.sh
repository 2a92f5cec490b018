#!/usr/bin/env bash
# Posterises video with kmeansseg: every pixel takes the mean color of its
# cluster, k colors in all, stable from frame to frame (warm start).
#
#   bash examples/posterise.sh in.mp4 out.webm [k]
# With EXAMPLE_OUT=dir and no arguments it posterises the built-in scene to
# PNG frames (how the test suite runs it).
set -euo pipefail
k="${3:-5}"
if [[ $# -ge 2 ]]; then
  gst-launch-1.0 -q filesrc location="$1" ! decodebin ! videoconvert ! video/x-raw,format=RGBx \
    ! kmeansseg k="$k" output=centers ! videoconvert ! vp8enc deadline=1 ! webmmux \
    ! filesink location="$2"
  echo "wrote $2"
else
  out="${EXAMPLE_OUT:?give INPUT OUTPUT [k]}"
  "${IMAGESEG_SCENE:-imageseg-scene}" --size 640x360 --frames "${EXAMPLE_FRAMES:-30}" |
    gst-launch-1.0 -q fdsrc fd=0 ! rawvideoparse format=rgb width=640 height=360 framerate=30/1 \
      ! videoconvert ! video/x-raw,format=RGBx ! kmeansseg k="$k" output=centers \
      ! videoconvert ! pngenc ! multifilesink location="$out/posterised-%04d.png"
  echo "wrote $out/posterised-*.png"
fi
