#!/usr/bin/env bash
# Regenerates the committed PTX from sparoa_kernels.cu and checks it with ptxas for Jetson Orin (sm_87) and
# H100/H200 (sm_90). nvcc >= 12 writes the PTX ISA of its own release (nvcc 13: 9.0, which only CUDA 13 drivers
# load), so the kernels are compiled for compute_80 and the .version line is lowered to what JetPack 6's CUDA
# 12.2 driver accepts; ptxas rejects any instruction newer than the stated version, which keeps this honest.
# Usage: build-ptx.sh [nvcc-bin-dir]   (default: the directory of `nvcc` on PATH)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$(dirname "$(command -v nvcc)")}"
ptx_version="${PTX_VERSION:-7.0}"
out="$here/../resources/org/sparoa/backend/cuda/internal/sparoa_kernels.ptx"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin/nvcc" -ptx -arch=compute_80 -O3 -o "$tmp/k.ptx" "$here/sparoa_kernels.cu"
sed -E "s/^\.version [0-9]+\.[0-9]+/.version $ptx_version/" "$tmp/k.ptx" | grep -v '^// Cuda compilation tools' \
    | grep -v '^// Based on' | grep -v '^// Compiler Build ID' > "$tmp/lowered.ptx"
for sm in sm_87 sm_90; do
  "$bin/ptxas" -arch=$sm -o "$tmp/$sm.cubin" "$tmp/lowered.ptx"
done
cp "$tmp/lowered.ptx" "$out"
echo "wrote $out (PTX ISA $ptx_version, ptxas ok for sm_87 and sm_90)"
