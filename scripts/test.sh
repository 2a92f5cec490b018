#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs
#   1. every test in a release build (library, elements, the reduced soak
#      test, OpenCV agreement, examples, docs pictures),
#   2. the library and element tests again in an AddressSanitizer +
#      UndefinedBehaviorSanitizer build,
#   3. the element tests under valgrind memcheck (zero definite leaks), and
#      a self-test that an injected leak is caught through the same
#      suppressions,
#   4. each libFuzzer target for FUZZ_SECONDS (default 10) under the same
#      sanitizers.
# Prints "tests: N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

stage_start=$SECONDS
stage_times=()
"$root/scripts/install-deps.sh" --test

status=0
summary() { python3 "$root/scripts/test-summary.py" "$@"; }
stage_done() { stage_times+=("$1: $((SECONDS - stage_start)) s"); stage_start=$SECONDS; }
stage_done "install"

echo "== release build"
"$root/scripts/build.sh" build >/dev/null
meson test -C build --print-errorlogs --num-processes 2 || status=1
stage_done "release build and tests"

echo "== sanitizer build (address, undefined)"
"$root/scripts/build.sh" build-asan -Dbuildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbench=disabled >/dev/null
# The plugin is loaded in-process (no plugin-scanner fork, which is not
# instrumented); GLib/GStreamer keep process-lifetime allocations, so leak
# checking is left to the valgrind/leaks-tracer run of the element tests.
# The element tests' held and shared runs check the out-of-place path, not
# pixel coverage (the writable run has that): they run in quick mode here
# (smaller frames and loops), which keeps this stage near six minutes.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
GST_REGISTRY_FORK=no \
  meson test -C build-asan --print-errorlogs --num-processes 2 --suite lib --suite elements \
  --no-suite elements-held --no-suite elements-shared || status=1
GST_REGISTRY_FORK=no ISEG_TEST_QUICK=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --suite elements-held \
  --suite elements-shared --logbase asan-quick || status=1
unset ASAN_OPTIONS UBSAN_OPTIONS
stage_done "sanitizer build and tests"

echo "== element tests under valgrind memcheck (definite leaks are errors)"
# CK_FORK=no keeps each test in one process valgrind can follow;
# G_SLICE=always-malloc lets it see GLib's allocations; ISEG_TEST_QUICK=1
# shrinks frames and loops (pixel coverage comes from the runs above). The
# tests see only their own plugin set (tests/elements/meson.build), whose
# registry the release run above has already written, so nothing is scanned
# or loaded here that the tests do not use. The suppressions name frames
# that are not ours, each with its reason (tests/elements/gst-debug.supp).
# The bad-input catalogue runs here once, on writable buffers: its held run
# (the out-of-place path through the same renegotiations) cost as much again
# (~170 s) and every element's own held run, which stays, covers that path's
# allocations; the catalogue's held and shared runs pass in the two stages above.
vg=(valgrind --quiet --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
  --error-exitcode=42 --suppressions=/usr/share/glib-2.0/valgrind/glib.supp
  --suppressions="$root/tests/elements/gst-debug.supp")
CK_FORK=no G_SLICE=always-malloc GST_REGISTRY_FORK=no ISEG_TEST_QUICK=1 \
  meson test -C build --print-errorlogs --num-processes 2 --suite elements \
  --no-suite elements-shared --no-suite catalogue-modes --test-args '' --logbase memcheck --timeout-multiplier 4 \
  --wrapper "${vg[*]}" || status=1
# The same valgrind and suppressions must still catch a leak of ours: the soak
# program leaking 1 KiB a frame (pointer dropped) has to fail with valgrind's
# error code.
leak_rc=0
G_SLICE=always-malloc GST_REGISTRY_FORK=no \
  GST_PLUGIN_SYSTEM_PATH_1_0="$root/build/tests/elements/system-plugins" \
  GST_PLUGIN_PATH_1_0="$root/build/gst" GST_REGISTRY_1_0="$root/build/tests/soak/registry.bin" \
  "${vg[@]}" build/tests/soak/imageseg-soak --frames 40 --warmup 10 --element otsuthreshold \
  --inject-leak 1024 >build/memcheck-leak-selftest.log 2>&1 || leak_rc=$?
if [[ $leak_rc -eq 42 ]] && grep -q "definitely lost" build/memcheck-leak-selftest.log; then
  echo "memcheck self-test: the injected leak was caught"
  leak_ok=1 leak_failed=0
else
  echo "memcheck self-test FAILED: an injected leak was not reported (exit $leak_rc)"
  tail -20 build/memcheck-leak-selftest.log
  leak_ok=0 leak_failed=1
  status=1
fi
stage_done "valgrind"

echo "== libFuzzer runs (clang, address + undefined), ${FUZZ_SECONDS:=10} s per target"
CC=clang "$root/scripts/build.sh" build-fuzz -Dbuildtype=debugoptimized -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false -Dgst=disabled -Dopencv=disabled \
  -Dbench=disabled >/dev/null
fuzz_log=build-fuzz/fuzz-results.txt
: >"$fuzz_log"
for target in build-fuzz/tests/fuzz/fuzz-*; do
  [[ "$target" == *-driver || "$target" == *.p ]] && continue
  [[ -f "$target" && -x "$target" ]] || continue
  name=$(basename "$target")
  corpus="build-fuzz/corpus/$name"
  mkdir -p "$corpus"
  # -len_control=0: inputs up to max_len from the start (libFuzzer's default
  # grows them from a few bytes, which a 10 s run never gets past)
  if "$target" -max_total_time="$FUZZ_SECONDS" -len_control=0 -max_len=1024 \
      -print_final_stats=1 "$corpus" \
      >"build-fuzz/$name.log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "build-fuzz/$name.log" | grep -o '[0-9]*' || echo "?")
    echo "$name: ok, $runs executions" | tee -a "$fuzz_log"
  else
    echo "$name: FAILED (build-fuzz/$name.log)" | tee -a "$fuzz_log"
    tail -30 "build-fuzz/$name.log"
    status=1
  fi
done
fuzz_ok=$(grep -c ': ok' "$fuzz_log" || true)
fuzz_failed=$(grep -c 'FAILED' "$fuzz_log" || true)
stage_done "fuzzers"
echo "== stage times"
printf '  %s\n' "${stage_times[@]}"

summary build/meson-logs/testlog.json build/meson-logs/memcheck*.json build-asan/meson-logs/testlog.json \
  build-asan/meson-logs/asan-quick.json \
  --extra "$((fuzz_ok + leak_ok))" "$((fuzz_failed + leak_failed))" || status=1
exit $status
