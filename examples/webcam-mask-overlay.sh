#!/usr/bin/env bash
# Live view from a webcam with the otsuthreshold mask laid over the picture
# in half-transparent white: see what the threshold picks while you move.
#
#   bash examples/webcam-mask-overlay.sh            # /dev/video0, on screen
#   DEVICE=/dev/video2 bash examples/webcam-mask-overlay.sh
# With EXAMPLE_OUT=dir it runs on the built-in scene instead and writes
# EXAMPLE_FRAMES frames as PNG (how the test suite runs it).
set -euo pipefail
if [[ -n "${EXAMPLE_OUT:-}" ]]; then
  src="fdsrc fd=0 ! rawvideoparse format=rgb width=640 height=360 framerate=30/1 ! videoconvert"
  sink="videoconvert ! pngenc ! multifilesink location=$EXAMPLE_OUT/overlay-%04d.png"
  feed() { "${IMAGESEG_SCENE:-imageseg-scene}" --size 640x360 --frames "${EXAMPLE_FRAMES:-30}"; }
else
  src="v4l2src device=${DEVICE:-/dev/video0} ! videoconvert ! videoscale ! video/x-raw,width=640,height=360"
  sink="videoconvert ! autovideosink"
  feed() { :; }
fi

# The mask becomes the alpha of a white layer: alpha takes luma as opacity.
feed | gst-launch-1.0 -q $src ! video/x-raw,format=I420 ! tee name=t \
  t. ! queue ! comp.sink_0 \
  t. ! queue ! otsuthreshold temporal-smoothing=0.8 ! videoconvert ! video/x-raw,format=GRAY8 \
     ! videoconvert ! alpha method=custom target-r=0 target-g=0 target-b=0 angle=10 black-sensitivity=128 white-sensitivity=0 \
     ! comp.sink_1 \
  compositor name=comp sink_1::alpha=0.5 ! $sink
