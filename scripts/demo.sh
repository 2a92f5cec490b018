#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the imageseg
# elements on a video, writing a side-by-side video (input beside each
# element's output, labelled) and PNG stills.
#
#   scripts/demo.sh                 built-in generated scene (no files needed)
#   scripts/demo.sh FILE            a video file
#   scripts/demo.sh URI             e.g. https://... or file:///...
#   scripts/demo.sh webcam          /dev/video0 (10 s)
#   OUT=dir scripts/demo.sh ...     output folder (default ./imageseg-output)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
input="${1:-scene}"
out="${OUT:-$PWD/imageseg-output}"
frames="${FRAMES:-150}"

echo "[1/3] dependencies"
"$root/scripts/install-deps.sh"
echo "[2/3] build"
"$root/scripts/build.sh" "$root/build" >/dev/null
export GST_PLUGIN_PATH="$root/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
gst-inspect-1.0 imageseg >/dev/null || { echo "the imageseg plugin did not load" >&2; exit 1; }

mkdir -p "$out"
W=640
H=360
caps="video/x-raw,format=I420,width=$W,height=$H,pixel-aspect-ratio=1/1,framerate=30/1"

# The built-in scene comes from tools/imageseg-scene (raw RGB on a pipe):
# text under strong uneven light, moving coloured shapes, thin lines, noise.
scene_cmd=()
case "$input" in
  scene)
    scene_cmd=("$root/build/tools/imageseg-scene" --size "${W}x${H}" --frames "$frames")
    src="fdsrc fd=0 ! rawvideoparse format=rgb width=$W height=$H framerate=30/1 ! videoconvert ! $caps"
    label="built-in scene" ;;
  webcam)
    src="v4l2src num-buffers=300 ! videoconvert ! videoscale ! videorate ! $caps"
    label="webcam" ;;
  *://*)
    src="uridecodebin uri=$input ! videoconvert ! videoscale ! videorate ! $caps"
    label="$input" ;;
  *)
    [[ -f "$input" ]] || { echo "no such file: $input" >&2; exit 1; }
    src="uridecodebin uri=file://$(realpath "$input") ! videoconvert ! videoscale ! videorate ! $caps"
    label="$(basename "$input")" ;;
esac

# Stages: "label|element chain". Later elements add lines here.
stages=(
  "otsuthreshold|otsuthreshold"
  "otsuthreshold output=masked|otsuthreshold output=masked"
)

n=$((${#stages[@]} + 1))
cols=$(( n <= 3 ? n : 3 ))
branches="t. ! queue ! textoverlay text=\"input\" valignment=top halignment=left font-desc=\"Sans 14\" shaded-background=true ! comp.sink_0 "
pads="comp.sink_0::xpos=0 comp.sink_0::ypos=0"
for i in "${!stages[@]}"; do
  name="${stages[$i]%%|*}"
  chain="${stages[$i]#*|}"
  k=$((i + 1))
  x=$(( (k % cols) * W ))
  y=$(( (k / cols) * H ))
  branches+="t. ! queue ! $chain ! textoverlay text=\"$name\" valignment=top halignment=left font-desc=\"Sans 14\" shaded-background=true ! comp.sink_$k "
  pads+=" sink_$k::xpos=$x sink_$k::ypos=$y"
done
pads="${pads//comp.sink_0::/sink_0::}"

rm -f "$out"/still-*.png
pipeline="$src ! tee name=t
  $branches
  compositor name=comp $pads ! tee name=o
  o. ! queue ! videoconvert ! vp8enc deadline=1 cpu-used=8 target-bitrate=4000000 ! webmmux ! filesink location=$out/demo.webm
  o. ! queue ! videorate drop-only=true ! video/x-raw,framerate=1/1 ! videoconvert ! pngenc ! multifilesink location=$out/still-%02d.png"

echo "[3/3] running ${#stages[@]} stages on $label -> $out"
[[ -n "${DEMO_DEBUG:-}" ]] && echo "$pipeline"
if ((${#scene_cmd[@]})); then
  "${scene_cmd[@]}" | gst-launch-1.0 -q $pipeline
else
  gst-launch-1.0 -q $pipeline
fi
echo "done: $out/demo.webm and $(ls "$out"/still-*.png | wc -l) PNG stills ($out/still-*.png)"
