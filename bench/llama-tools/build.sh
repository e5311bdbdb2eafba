#!/usr/bin/env bash
# Builds llama.cpp's own tools (llama-server, llama-speculative, llama-batched-bench, llama-quantize) from the
# llama.cpp v0.5.0 source that the test build fetches, for benchmarks only (never part of CI). Cached: a second run
# with the tools present does nothing. Prints the folder holding the binaries on its last line.
#   bench/llama-tools/build.sh [SOURCE_DIR] [OUT_DIR]
# SOURCE_DIR defaults to $AGENTKIT_LLAMA_SOURCE_DIR, then ~/.cache/agentkit/natives/llama.cpp-v0.5.0 (made by
# `dotnet build tests/AgentKit.Testing`); OUT_DIR defaults to ~/.cache/agentkit/llama-tools/v0.5.0.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agentkit"
src="${1:-${AGENTKIT_LLAMA_SOURCE_DIR:-$cache/natives/llama.cpp-v0.5.0}}"
out="${2:-$cache/llama-tools/v0.5.0}"
tools=(llama-server llama-speculative llama-batched-bench llama-quantize)
have_all=1
for t in "${tools[@]}"; do [ -x "$out/bin/$t" ] || have_all=0; done
if [ "$have_all" = 1 ]; then echo "$out/bin"; exit 0; fi
[ -f "$src/CMakeLists.txt" ] || { echo "no llama.cpp source in $src: run 'dotnet build tests/AgentKit.Testing' first (it fetches the v0.5.0 source), or pass SOURCE_DIR" >&2; exit 1; }
command -v cmake >/dev/null || { echo "cmake is not installed: install cmake and g++ to build llama.cpp's tools" >&2; exit 127; }
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
build="$out/build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=ON >"$out/cmake.log" 2>&1 \
  || { echo "cmake configure failed; see $out/cmake.log" >&2; exit 1; }
cmake --build "$build" --config Release -j "$(nproc)" --target "${tools[@]}" >"$out/build.log" 2>&1 \
  || { echo "cmake build failed; see $out/build.log" >&2; exit 1; }
mkdir -p "$out/bin"
for t in "${tools[@]}"; do cp "$build/bin/$t" "$out/bin/$t"; done
echo "$out/bin"
