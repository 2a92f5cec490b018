#!/usr/bin/env bash
# The lecture's shape detection with hit-or-miss, on video: threshold the
# built-in scene (dark ink and shapes become foreground), then keep only the
# places where a long vertical line 3 pixels wide fits with background on
# both sides. Opening with a vertical element would also keep every vertical
# stroke of the text; the background columns and the height of the element
# make hit-or-miss find the line alone. Prints the number of line pixels
# found in each frame (the element's `matches` message) and writes the
# detections as PNG frames.
#
#   EXAMPLE_FRAMES=150 EXAMPLE_OUT=/tmp/lines bash examples/hitmiss-vertical-lines.sh
set -euo pipefail
frames="${EXAMPLE_FRAMES:-150}"
out="${EXAMPLE_OUT:-.}"
scene="${IMAGESEG_SCENE:-imageseg-scene}"
W=640
H=360

# 15 rows of "0 1 1 1 0": foreground 3 wide, background left and right
element="$(printf '0 1 1 1 0; %.0s' $(seq 15))"
element="${element%; }"

"$scene" --size ${W}x${H} --frames "$frames" |
  gst-launch-1.0 -m fdsrc fd=0 \
    ! rawvideoparse format=rgb width=$W height=$H framerate=30/1 \
    ! videoconvert ! video/x-raw,format=GRAY8 \
    ! otsuthreshold invert=true \
    ! hitmiss structure="$element" post-messages=true \
    ! videoconvert ! pngenc ! multifilesink location="$out/lines-%04d.png" |
  sed -n 's/.*hitmiss, .*timestamp=(guint64)\([0-9]*\).*matches=(uint)\([0-9]*\).*/\1 \2/p' |
  awk '{ printf "t=%.3f s: %d line pixels\n", $1 / 1e9, $2 }'
