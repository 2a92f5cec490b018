#!/usr/bin/env bash
# Generates the pictures in docs/images/ from the project's own pipelines on
# the built-in scene. The test suite runs it into the build tree so the
# docs cannot rot; run it by hand to refresh docs/images:
#   scripts/make-doc-pictures.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(realpath "${1:-$root/build}")"
out="${2:-$root/docs/images}"
mkdir -p "$out"
export GST_PLUGIN_PATH="$build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
scene="$build/tools/imageseg-scene"
W=640
H=360
count=0

# picture NAME FORMAT "CHAIN": one frame of the scene through CHAIN, as PNG.
# FRAME (env) picks the scene frame (default 60: every shape apart from the
# others, the ring and the line uncovered).
picture() {
  local name="$1" format="$2" chain="$3"
  "$scene" --size ${W}x${H} --frames $((${FRAME:-60} + 1)) | tail -c $((W * H * 3)) |
    gst-launch-1.0 -q fdsrc fd=0 \
      ! rawvideoparse format=rgb width=$W height=$H framerate=30/1 \
      ! videoconvert ! video/x-raw,format="$format" ! $chain \
      ! videoconvert ! pngenc ! filesink location="$out/$name.png"
  [[ -s "$out/$name.png" ]] || { echo "no picture $name" >&2; exit 1; }
  count=$((count + 1))
}

picture scene-rgb RGB identity
picture scene-gray GRAY8 identity
picture otsuthreshold-otsu GRAY8 otsuthreshold
picture otsuthreshold-iterative GRAY8 "otsuthreshold method=iterative"
picture otsuthreshold-masked I420 "otsuthreshold output=masked"
picture otsuthreshold-invert GRAY8 "otsuthreshold invert=true"
picture kmeansseg-color RGB "kmeansseg k=6"
picture kmeansseg-color-position RGB "kmeansseg k=6 features=color-position spatial-weight=1.5"
picture kmeansseg-palette RGB "kmeansseg k=6 output=palette"
picture kmeansseg-gray GRAY8 "kmeansseg k=4"
# morphology: on the Otsu mask (binary morphology) and on the gray scene
picture morphology-mask-erode GRAY8 "otsuthreshold ! morphology operation=erode shape=ellipse width=7 height=7"
picture morphology-mask-dilate GRAY8 "otsuthreshold ! morphology operation=dilate shape=ellipse width=7 height=7"
picture morphology-mask-open GRAY8 "otsuthreshold ! morphology operation=open shape=ellipse width=7 height=7"
picture morphology-mask-close GRAY8 "otsuthreshold ! morphology operation=close shape=ellipse width=7 height=7"
picture morphology-gray-gradient GRAY8 "morphology operation=gradient shape=ellipse width=5 height=5"
picture morphology-gray-tophat GRAY8 "morphology operation=tophat shape=ellipse width=31 height=31"
picture morphology-gray-blackhat GRAY8 "morphology operation=blackhat shape=ellipse width=31 height=31"
picture morphology-gray-erode-line GRAY8 "morphology operation=erode structure=\"1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\""
picture adaptivethreshold-local-otsu GRAY8 adaptivethreshold
picture adaptivethreshold-mean GRAY8 "adaptivethreshold method=mean offset=5"
picture adaptivethreshold-gaussian GRAY8 "adaptivethreshold method=gaussian offset=5"
picture adaptivethreshold-sauvola GRAY8 "adaptivethreshold method=sauvola"
picture adaptivethreshold-niblack GRAY8 "adaptivethreshold method=niblack"
picture adaptivethreshold-uniform-global GRAY8 "adaptivethreshold uniform-reference=global"
picture adaptivethreshold-masked I420 "adaptivethreshold output=masked"

vline="$(printf '0 1 1 1 0; %.0s' $(seq 15))"
picture hitmiss-mask GRAY8 "otsuthreshold invert=true"
picture hitmiss-vertical-line GRAY8 "otsuthreshold invert=true ! hitmiss structure=\"${vline%; }\""
picture hitmiss-thin GRAY8 "otsuthreshold invert=true ! hitmiss operation=thin iterations=2"
picture hitmiss-skeleton GRAY8 "otsuthreshold invert=true ! hitmiss operation=skeleton"

# output=alpha: the dark objects cut out (RGBA, transparent elsewhere)
picture otsuthreshold-alpha RGBA "otsuthreshold invert=true output=alpha"
picture adaptivethreshold-alpha RGBA "adaptivethreshold invert=true output=alpha"
picture kmeansseg-alpha RGBA "kmeansseg k=4 output=alpha alpha-labels=0x1"

# regions: the objects of the local-Otsu mask after an opening
objects="adaptivethreshold invert=true ! morphology operation=open"
picture regions-mask GRAY8 "$objects"
picture regions-labels I420 "$objects ! regions output=labels min-area=20"
picture regions-boxes I420 "$objects ! regions output=boxes min-area=200"
picture regions-largest I420 "$objects ! regions output=mask max-regions=3"

# The demo's contact sheet (input beside every stage), at half size.
demo_out="$(mktemp -d)"
SKIP_INSTALL=1 SKIP_BUILD=1 BUILD_DIR="$build" FRAMES=45 OUT="$demo_out" \
  bash "$root/scripts/demo.sh" >/dev/null
gst-launch-1.0 -q filesrc location="$demo_out/still-01.png" ! pngdec ! videoconvert ! videoscale \
  ! video/x-raw,width=960,height=720 ! videoconvert ! pngenc ! filesink location="$out/demo-contact-sheet.png"
rm -rf "$demo_out"
[[ -s "$out/demo-contact-sheet.png" ]] || { echo "no demo contact sheet" >&2; exit 1; }
count=$((count + 1))

echo "make-doc-pictures: $count pictures in $out"
