#!/usr/bin/env bash
# One short GPU check for the day the `device` tool lends a machine (issue #18 §4): builds the engine tests against
# the CUDA natives (@node-llama-cpp/linux-x64-cuda, CUDA 13), runs the tests that exercise the GPU (they skip
# elsewhere) and writes what it saw to ${OUT:-bench/gpu/out}/gpu-report.txt. Run from the repository root:
#   bash bench/gpu/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-bench/gpu/out}"
mkdir -p "$out"
report="$out/gpu-report.txt"
{
  echo "# AgentKit GPU check, $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv 2>&1 || echo "nvidia-smi: not available"
  ldconfig -p 2>/dev/null | grep -E "libcudart.so.13|libcublas.so.13|libcuda.so.1" || echo "CUDA 13 runtime libraries: not found by ldconfig"
} > "$report"

# Its own output folder, so the CPU build of this checkout is left alone.
dotnet build tests/AgentKit.LlamaCpp.Tests -c Release -p:AgentKitLlamaBackend=cuda -p:BaseOutputPath="$PWD/bench/gpu/bin/" \
  -p:BaseIntermediateOutputPath="$PWD/bench/gpu/obj/" 2>&1 | tail -3 >> "$report"
tests_dir="bench/gpu/bin/Release/net10.0"
# The CUDA tests, then the engine's generation and chat tests on the CUDA build (they load on the CPU unless told to offload).
"$tests_dir/AgentKit.LlamaCpp.Tests" -class "AgentKit.LlamaCpp.Tests.Gpu.CudaTests" 2>&1 | tee -a "$report" | tail -5
"$tests_dir/AgentKit.LlamaCpp.Tests" -namespace "AgentKit.LlamaCpp.Tests.Engine" 2>&1 | grep -E "Total|FAIL" | tee -a "$report"
echo "report: $report"
