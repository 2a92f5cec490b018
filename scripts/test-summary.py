#!/usr/bin/env python3
"""Adds up meson's testlog.json files and prints one closing line."""
import json
import sys

passed = failed = skipped = 0
args = sys.argv[1:]
if "--extra" in args:  # counts from outside meson: --extra PASSED FAILED
    i = args.index("--extra")
    passed += int(args[i + 1])
    failed += int(args[i + 2])
    args = args[:i] + args[i + 3:]
for path in args:
    try:
        f = open(path)
    except OSError as e:
        print("missing test log:", e)
        failed += 1
        continue
    with f:
        for line in f:
            if not line.strip():
                continue
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                print("failed:", json.loads(line)["name"], "in", path)
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
