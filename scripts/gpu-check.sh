#!/usr/bin/env bash
# Everything the CUDA issue checks on a GPU machine with PyTorch but no .NET SDK, in one call, from the repository root:
# the bundle (scripts/bundle.sh) at artifacts/bundle.tar.xz and the benchmark inputs (benchmarks/reference/gpu_inputs.py,
# plus a tokenizer folder) at artifacts/gpu.tar.xz. Writes what it finds to $OUT (default artifacts/gpu-out):
# nvidia-smi.txt, versions.txt, env.txt, cuda-tests.txt/.xml, gpu.md/gpu.jsonl. One failing step does not stop the rest.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/gpu-out}
mkdir -p "$OUT"
tar -xf artifacts/bundle.tar.xz -C artifacts
tar -xf artifacts/gpu.tar.xz -C artifacts
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
python3 -c "import torch, transformers, sentence_transformers as st; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0)); print('transformers', transformers.__version__, 'sentence-transformers', st.__version__)" > "$OUT/versions.txt" 2>&1
cat "$OUT/versions.txt"
artifacts/bundle/research env --device cuda 2>&1 | tee "$OUT/env.txt"
timeout 300 artifacts/bundle/research-tests -class Research.Lib.Tests.Devices.CudaTests -class Research.Lib.Tests.Devices.LibTorchInfoTests -class Research.Lib.Tests.Modeling.MixedPrecisionTests \
  -nocolor -xml "$OUT/cuda-tests.xml" > "$OUT/cuda-tests.txt" 2>&1
grep -E "FAIL|SKIP|Total:" "$OUT/cuda-tests.txt"
artifacts/bundle/research-bench gpu --init-base artifacts/gpu/tokenizer --model /tmp/bert-base --texts artifacts/gpu/texts.txt --pairs artifacts/gpu/pairs.jsonl \
  --reference benchmarks/reference/gpu_reference.py ${GPU_ARGS:-} --out "$OUT/gpu.jsonl" 2>&1 | tee "$OUT/gpu.md"
