#!/usr/bin/env bash
# Installs what imageseg needs on Debian 12 (run as root). Asks apt only
# when something is missing, so a second run costs nothing.
#   scripts/install-deps.sh          build + demo packages (no OpenCV)
#   scripts/install-deps.sh --test   also what the test suite and bench/ use
set -euo pipefail

packages=(
  gcc pkg-config meson ninja-build python3
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-x fonts-dejavu-core
)
# The demo needs only GStreamer and the build tools. OpenCV (a large tree:
# about two minutes of a first install) is for the tests and bench/ only;
# meson finds it when present (-Dopencv=auto) and builds without it.
if [[ "${1:-}" == "--test" ]]; then
  # python3-skimage: its sample photos (camera, coins, page, ...) are the
  # real images of the agreement tests, and its Sauvola the speed reference;
  # opencv-doc: its sample clip vtest.avi (a static camera) is the real video
  # of the k-means stability test
  # gstreamer1.0-plugins-bad, -opencv, -libav, python3-gst-1.0, gstreamer1.0-gtk3:
  # the plugins a desktop or CI image often has besides; the element tests
  # must pass (valgrind included) with them installed, so the suite always
  # runs with them present
  packages+=(g++ libopencv-dev clang clang-format libclang-rt-14-dev valgrind libopencv-contrib-dev imagemagick python3-skimage
    opencv-doc gstreamer1.0-plugins-bad gstreamer1.0-opencv gstreamer1.0-libav python3-gst-1.0
    gstreamer1.0-gtk3)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: everything is installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
