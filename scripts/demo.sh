#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the imageseg
# elements on video, writing a side-by-side video (input beside each
# element's output, labelled) and PNG stills (a contact sheet per second).
#
#   scripts/demo.sh                 built-in generated scene (no files needed)
#   scripts/demo.sh FILE            a video file
#   scripts/demo.sh URI             e.g. file:///path/clip.mkv, https://...
#   scripts/demo.sh FOLDER          every video in FOLDER (batch: one output
#                                   folder per input, a failing file is
#                                   reported and skipped, summary at the end)
#   scripts/demo.sh webcam          /dev/video0, 10 s
# Environment: OUT=dir (default ./imageseg-output), FRAMES=n (scene length,
# default 150), SKIP_INSTALL=1 (do not check packages), BUILD_DIR=dir with
# SKIP_BUILD=1 (use an existing build, as the test suite does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
input="${1:-scene}"
out="${OUT:-$PWD/imageseg-output}"
frames="${FRAMES:-150}"

echo "[1/3] dependencies"
[[ -n "${SKIP_INSTALL:-}" ]] || "$root/scripts/install-deps.sh"
echo "[2/3] build"
build="${BUILD_DIR:-$root/build}"
[[ -n "${SKIP_BUILD:-}" ]] || "$root/scripts/build.sh" "$build" >/dev/null
export GST_PLUGIN_PATH="$build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
gst-inspect-1.0 imageseg >/dev/null || { echo "the imageseg plugin did not load" >&2; exit 1; }

W=640
H=360
caps="video/x-raw,format=I420,width=$W,height=$H,pixel-aspect-ratio=1/1,framerate=30/1"

# Stages: "label|element chain", each shown beside the input.
stages=(
  "otsuthreshold|otsuthreshold"
  "otsuthreshold output=masked|otsuthreshold output=masked"
  "otsuthreshold ! morphology operation=open|otsuthreshold ! morphology operation=open shape=ellipse width=9 height=9"
  "adaptivethreshold (local Otsu)|adaptivethreshold"
  "adaptivethreshold method=sauvola|adaptivethreshold method=sauvola"
  "hitmiss skeleton of the dark ink|adaptivethreshold invert=true ! hitmiss operation=skeleton"
  "kmeansseg k=6 (colour)|videoconvert ! video/x-raw,format=RGBx ! kmeansseg k=6 ! videoconvert ! video/x-raw,format=I420"
  "kmeansseg k=6 palette|videoconvert ! video/x-raw,format=RGBx ! kmeansseg k=6 output=palette ! videoconvert ! video/x-raw,format=I420"
  "regions: boxes of the dark objects|adaptivethreshold invert=true ! morphology operation=open shape=ellipse width=9 height=9 ! regions output=boxes min-area=200"
)

label_opts='valignment=top halignment=left font-desc="Sans 14" shaded-background=true'

# run_one SOURCE-KIND SOURCE OUTDIR: one side-by-side video + stills.
run_one() {
  local kind="$1" source="$2" dir="$3" src
  local scene_cmd=()
  case "$kind" in
    scene)
      scene_cmd=("$build/tools/imageseg-scene" --size "${W}x${H}" --frames "$frames")
      src="fdsrc fd=0 ! rawvideoparse format=rgb width=$W height=$H framerate=30/1 ! videoconvert ! $caps" ;;
    webcam)
      src="v4l2src num-buffers=300 ! videoconvert ! videoscale ! videorate ! $caps" ;;
    uri)
      src="uridecodebin uri=$source ! videoconvert ! videoscale ! videorate ! $caps" ;;
  esac

  local n=$((${#stages[@]} + 1))
  local cols=$((n <= 3 ? n : 3))
  local branches="t. ! queue ! textoverlay text=\"input\" $label_opts ! comp.sink_0 "
  local pads="sink_0::xpos=0 sink_0::ypos=0"
  local i name chain k
  for i in "${!stages[@]}"; do
    name="${stages[$i]%%|*}"
    chain="${stages[$i]#*|}"
    k=$((i + 1))
    branches+="t. ! queue ! $chain ! textoverlay text=\"$name\" $label_opts ! comp.sink_$k "
    pads+=" sink_$k::xpos=$(((k % cols) * W)) sink_$k::ypos=$(((k / cols) * H))"
  done

  mkdir -p "$dir"
  rm -f "$dir"/still-*.png "$dir/demo.webm"
  local pipeline="$src ! tee name=t
    $branches
    compositor name=comp background=black $pads ! tee name=o
    o. ! queue ! videoconvert ! vp8enc deadline=1 cpu-used=8 target-bitrate=4000000 ! webmmux ! filesink location=$dir/demo.webm
    o. ! queue ! videorate drop-only=true ! video/x-raw,framerate=1/1 ! videoconvert ! pngenc ! multifilesink location=$dir/still-%02d.png"
  [[ -n "${DEMO_DEBUG:-}" ]] && echo "$pipeline"
  if ((${#scene_cmd[@]})); then
    "${scene_cmd[@]}" | gst-launch-1.0 -q $pipeline
  else
    gst-launch-1.0 -q $pipeline
  fi
  [[ -s "$dir/demo.webm" ]] && ls "$dir"/still-*.png >/dev/null 2>&1
}

report() {
  echo "      $1/demo.webm and $(ls "$1"/still-*.png | wc -l) PNG stills ($1/still-*.png)"
}

echo "[3/3] running ${#stages[@]} stages: ${stages[*]%%|*}"
case "$input" in
  scene)
    echo "      on the built-in scene ($frames frames, ${W}x${H})"
    run_one scene "" "$out"
    report "$out" ;;
  webcam)
    run_one webcam "" "$out"
    report "$out" ;;
  *://*)
    run_one uri "$input" "$out"
    report "$out" ;;
  *)
    if [[ -d "$input" ]]; then
      mapfile -t files < <(find "$input" -maxdepth 1 -type f \( -iname '*.mp4' -o -iname '*.mkv' \
        -o -iname '*.webm' -o -iname '*.avi' -o -iname '*.mov' -o -iname '*.ogv' -o -iname '*.ts' \) | sort)
      ((${#files[@]})) || { echo "no video files in $input" >&2; exit 1; }
      ok=0
      failed=()
      for i in "${!files[@]}"; do
        f="${files[$i]}"
        name="$(basename "${f%.*}")"
        echo "      [$((i + 1))/${#files[@]}] $(basename "$f")"
        mkdir -p "$out/$name"
        if run_one uri "file://$(realpath "$f")" "$out/$name" >"$out/$name/log.txt" 2>&1; then
          ok=$((ok + 1))
          report "$out/$name"
          rm -f "$out/$name/log.txt"
        else
          failed+=("$(basename "$f")")
          echo "      failed, skipped (log: $out/$name/log.txt)"
        fi
      done
      echo "batch: ${#files[@]} files, $ok done, ${#failed[@]} failed${failed:+: ${failed[*]}}"
      # a failing file is not fatal; only a batch where nothing worked is
      ((ok > 0)) || exit 1
    else
      [[ -f "$input" ]] || { echo "no such file or folder: $input" >&2; exit 1; }
      run_one uri "file://$(realpath "$input")" "$out"
      report "$out"
    fi ;;
esac
echo "done: results in $out"
