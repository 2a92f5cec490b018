#!/usr/bin/env bash
# A live object counter: dark objects on a light background (coins on a
# table, parts on a belt) are thresholded, cleaned with an opening, and
# `regions` draws a box around each and posts the count every frame.
# The threshold is adaptivethreshold's local Otsu, which holds under the
# uneven light of a desk or a belt; under even light THRESHOLD="otsuthreshold
# invert=true" (one global level) does as well and costs less.
#
#   bash examples/object-counter.sh             # /dev/video0, on screen
#   DEVICE=/dev/video2 bash examples/object-counter.sh
# With EXAMPLE_OUT=dir it runs on the built-in scene instead, writes
# EXAMPLE_FRAMES frames as PNG and the per-frame counts to counts.txt (how
# the test suite runs it).
set -euo pipefail
if [[ -n "${EXAMPLE_OUT:-}" ]]; then
  src="fdsrc fd=0 ! rawvideoparse format=rgb width=640 height=360 framerate=30/1 ! videoconvert"
  sink="videoconvert ! pngenc ! multifilesink location=$EXAMPLE_OUT/objects-%04d.png"
  feed() { "${IMAGESEG_SCENE:-imageseg-scene}" --size 640x360 --frames "${EXAMPLE_FRAMES:-30}"; }
else
  src="v4l2src device=${DEVICE:-/dev/video0} ! videoconvert ! videoscale ! video/x-raw,width=640,height=360"
  sink="videoconvert ! autovideosink"
  feed() { :; }
fi

# gst-launch -m prints every element message; keep the regions count.
feed | gst-launch-1.0 -m $src ! video/x-raw,format=I420 \
  ! ${THRESHOLD:-adaptivethreshold invert=true} \
  ! morphology operation=open shape=ellipse width=9 height=9 \
  ! regions output=boxes min-area=200 post-messages=true \
  ! $sink |
  sed -n 's/.*from element "regions0" (element): regions,.* count=(uint)\([0-9]*\),.*/\1/p' |
  { if [[ -n "${EXAMPLE_OUT:-}" ]]; then tee "$EXAMPLE_OUT/counts.txt"; else cat; fi; } |
  while read -r n; do echo "objects: $n"; done
