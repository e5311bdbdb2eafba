#!/usr/bin/env bash
# Builds llama.cpp v0.5.0's libraries (libllama, libggml, libggml-base, libggml-cpu) for this machine's CPU
# (GGML_NATIVE, OpenMP) from the source bundle the test build fetches, for AGENTKIT_LLAMA_LIB_DIR. On the 2-core
# benchmark machine this build decodes batches faster than the prebuilt npm libraries (docs/llama.md). Cached: a
# second run with the libraries present does nothing. Prints the folder to set AGENTKIT_LLAMA_LIB_DIR to on its last line.
#   src/AgentKit.LlamaCpp/build/build-native.sh [SOURCE_DIR] [OUT_DIR]      extra cmake options: CMAKE_ARGS="-DGGML_CUDA=ON"
# SOURCE_DIR defaults to $AGENTKIT_LLAMA_SOURCE_DIR, then ~/.cache/agentkit/natives/llama.cpp-v0.5.0 (made by
# `dotnet build tests/AgentKit.Testing`); OUT_DIR defaults to ~/.cache/agentkit/natives/llama.cpp-v0.5.0-native.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agentkit"
src="${1:-${AGENTKIT_LLAMA_SOURCE_DIR:-$cache/natives/llama.cpp-v0.5.0}}"
out="${2:-$cache/natives/llama.cpp-v0.5.0-native}"
lib="$out/build/bin"
if [ -f "$lib/libllama.so" ] && [ -f "$lib/libggml.so" ] && [ -f "$lib/libggml-base.so" ]; then echo "$lib"; exit 0; fi
[ -f "$src/CMakeLists.txt" ] || { echo "no llama.cpp source in $src: run 'dotnet build tests/AgentKit.Testing' first (it fetches the v0.5.0 source), or pass SOURCE_DIR" >&2; exit 1; }
command -v cmake >/dev/null || { echo "cmake is not installed: install cmake and g++ to build llama.cpp's libraries" >&2; exit 127; }
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
# shellcheck disable=SC2086
cmake -S "$src" -B "$out/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF \
  -DGGML_NATIVE=ON ${CMAKE_ARGS:-} >"$out/cmake.log" 2>&1 \
  || { echo "cmake configure failed; see $out/cmake.log" >&2; exit 1; }
cmake --build "$out/build" --config Release -j "$(nproc)" --target llama >"$out/build.log" 2>&1 \
  || { echo "cmake build failed; see $out/build.log" >&2; exit 1; }
echo "$lib"
