#!/usr/bin/env bash
# Compiles every ```c block of the given Markdown files against the
# library headers (with -Werror), so code shown in the docs cannot rot.
#   docs-snippets.sh INCLUDE_DIR FILE.md...
set -euo pipefail
inc="$1"
shift
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
n=0
for md in "$@"; do
  awk -v dir="$tmp" -v base="$(basename "$md" .md)" '
    /^```c$/ { inblock = 1; k++; file = dir "/" base "-" k ".c"; next }
    /^```$/  { inblock = 0; next }
    inblock  { print > file }' "$md"
done
for c in "$tmp"/*.c; do
  [[ -e "$c" ]] || continue
  cc -std=c11 -Wall -Wextra -Werror -Wno-unused-function -Wno-missing-prototypes -I"$inc" -c "$c" -o "$c.o"
  n=$((n + 1))
done
echo "$n snippets: $n passed, 0 failed"
((n > 0))
