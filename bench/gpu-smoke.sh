#!/usr/bin/env bash
# GPU smoke test, for a host with an NVIDIA GPU (never run in CI; not run on the project's
# machines, which have none). Builds the cu118 flavour, then prints:
#   - the GPUs the driver shows and the device DJL/PyTorch sees;
#   - one RoCL step's images/s at batch 256 on ResNet-18 (io.robustcl.ml.train.RoclStepBenchmark),
#     on the GPU and, for comparison, the same step on the CPU (fewer steps: it is slow);
#   - peak GPU memory during the GPU step (nvidia-smi sampled every 100 ms);
#   - host syncs per step, when the benchmark reports them (the scalar-creation counting hook);
# then runs `./pipeline run pipelines.yaml --target table2 --profile micro --device gpu`.
# Usage: bench/gpu-smoke.sh [--batch N] [--steps S] [--cpu-steps S]
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=256; STEPS=5; CPU_STEPS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) BATCH=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --cpu-steps) CPU_STEPS=$2; shift 2 ;;
    *) echo "unknown option $1 (known: --batch --steps --cpu-steps)" >&2; exit 2 ;;
  esac
done
command -v nvidia-smi >/dev/null || { echo "gpu-smoke: nvidia-smi not found: this is not a GPU host" >&2; exit 2; }
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader | sed 's/^/driver sees GPU: /'

# the launcher's build: the cu118 native jar (1.6 GB on first download), remembered for later runs
./pipeline --build cu118 stages >/dev/null
mvn -B -q -Pcu118 test-compile >&2
CP_FILE=target/gpu-smoke.classpath
mvn -B -q -Pcu118 dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >&2
CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
case "$CP" in *pytorch-native-cpu*) echo "gpu-smoke: the cpu native jar is on the class path" >&2; exit 1 ;; esac

step() { # DEVICE STEPS: prints the benchmark's key=value lines
  java -Xmx8g -Dai.djl.offline=true -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    io.robustcl.ml.train.RoclStepBenchmark --mode ours --device "$1" --batch "$BATCH" --k 7 --steps "$2" \
    2>target/gpu-smoke-"${1%%:*}".err
}

mem_log=target/gpu-smoke-memory.csv
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 -lms 100 >"$mem_log" &
sampler=$!
gpu_out="$(step gpu:0 "$STEPS")"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
echo "$gpu_out" | sed -n 's/^device=/DJL device: /p'
gpu_rate="$(echo "$gpu_out" | sed -n 's/^images_per_s=//p')"
echo "RoCL step, ResNet-18, batch $BATCH, k=7, GPU: ${gpu_rate:-?} images/s"
echo "peak GPU memory: $(sort -n "$mem_log" | tail -1) MiB (nvidia-smi, whole GPU 0)"
syncs="$(echo "$gpu_out" | sed -n 's/^host_syncs_per_step=//p')"
echo "host syncs per step: ${syncs:-not reported by this build}"
cpu_rate="$(step cpu "$CPU_STEPS" | sed -n 's/^images_per_s=//p')"
echo "the same step on the CPU: ${cpu_rate:-?} images/s"
python3 -c 'import sys; g, c = (float(v) for v in sys.argv[1:]); print(f"gpu/cpu ratio={g / c:.1f}")' \
  "${gpu_rate:-nan}" "${cpu_rate:-nan}"

./pipeline run pipelines.yaml --target table2 --profile micro --device gpu --cache target/gpu-smoke-cache \
  --results target/gpu-smoke-results
