#!/usr/bin/env sh
# Builds the C baseline against a llama.cpp v0.5.0 native folder and source tree.
#   build.sh OUT NATIVE_DIR LLAMA_INCLUDE_DIR GGML_INCLUDE_DIR
# The benchmark program runs the same command itself; this script is for building it by hand.
set -eu
if [ "$#" -ne 4 ]; then
  echo "usage: $0 OUT NATIVE_DIR LLAMA_INCLUDE_DIR GGML_INCLUDE_DIR" >&2
  exit 2
fi
out=$1 native=$2 inc=$3 ggml_inc=$4
here=$(cd "$(dirname "$0")" && pwd)
command -v gcc >/dev/null 2>&1 || { echo "gcc is not installed: install gcc to build the C baseline" >&2; exit 127; }
llama=$(ls "$native"/libllama.so "$native"/libllama.v0.5.0.so 2>/dev/null | head -n 1)
ggml=$(ls "$native"/libggml.so "$native"/libggml.v0.5.0.so 2>/dev/null | head -n 1)
[ -n "$llama" ] && [ -n "$ggml" ] || { echo "no libllama/libggml in $native" >&2; exit 1; }
exec gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$out" "$here/baseline.c" -I "$inc" -I "$ggml_inc" \
  "$llama" "$ggml" "$native/libggml-base.so" -Wl,-rpath,"$native" -lm
