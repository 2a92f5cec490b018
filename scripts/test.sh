#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs
#   1. every test in a release build (library, elements, OpenCV agreement,
#      examples, docs pictures),
#   2. the library and element tests again in an AddressSanitizer +
#      UndefinedBehaviorSanitizer build.
# Prints "tests: N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh" --test

status=0
summary() { python3 "$root/scripts/test-summary.py" "$@"; }

echo "== release build"
"$root/scripts/build.sh" build >/dev/null
meson test -C build --print-errorlogs --num-processes 2 || status=1

echo "== sanitizer build (address, undefined)"
"$root/scripts/build.sh" build-asan -Dbuildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbench=disabled >/dev/null
# The plugin is loaded in-process (no plugin-scanner fork, which is not
# instrumented); GLib/GStreamer keep process-lifetime allocations, so leak
# checking is left to the valgrind/leaks-tracer run of the element tests.
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
GST_REGISTRY_FORK=no \
  meson test -C build-asan --print-errorlogs --num-processes 2 --suite lib --suite elements || status=1

summary build/meson-logs/testlog.json build-asan/meson-logs/testlog.json || status=1
exit $status
