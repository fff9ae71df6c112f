#!/usr/bin/env bash
# ResNet-18 (CIFAR stem, width 64) training-mode forward and backward, batch 32, 32x32, on the CPU:
# ours through DJL 0.25 / libtorch 2.0.1 (io.robustcl.ml.model.ResNetPassBenchmark: --net ours is the
# Network every stage runs, --net bare the same ops as direct DJL calls) against Debian's PyTorch
# (bench/resnet_pass.py over ../shared/bench/rocl_step.py's ResNet18, NCHW and channels-last),
# interleaved over rounds; then a per-op breakdown of both sides (libtorch's profiler, self time)
# and oneDNN's primitives and their times per convolution (ONEDNN_VERBOSE=1).
# Usage: bench/resnet-pass.sh [--batch N] [--steps S] [--rounds R] [--threads T] [--no-profile]
# The last line is the ratio ours/PyTorch of forward+backward images/s, best round of each; the line
# before it also gives the ratio per second of CPU time, which a loaded machine disturbs less.
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH=32; STEPS=10; ROUNDS=3; THREADS=2; PROFILE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) BATCH=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --no-profile) PROFILE=0; shift ;;
    *) echo "unknown option $1 (known: --batch --steps --rounds --threads --no-profile)" >&2; exit 2 ;;
  esac
done
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "resnet-pass: /usr/bin/python3 has no torch (apt-get install python3-torch)" >&2; exit 2; }
if [[ -n "${BENCH_CP:-}" ]]; then
  CP=$BENCH_CP # a class path built beforehand (e.g. while another build uses target/)
else
  mvn -B -q test-compile >&2
  CP_FILE=target/bench.classpath
  mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >&2
  CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
fi
OUT=${BENCH_OUT:-target}
mkdir -p "$OUT"
# both sides: libgomp with passive waits (spinning threads crawl on a shared machine), THREADS threads
export OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
ours() { # NET [benchmark option...]; JAVA_EXTRA: more JVM options
  local net=$1; shift
  # shellcheck disable=SC2086
  java -Xmx2g -Dai.djl.offline=true -XX:+UseParallelGC -Dai.djl.pytorch.num_threads="$THREADS" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${JAVA_EXTRA:-} -cp "$CP" \
    io.robustcl.ml.model.ResNetPassBenchmark --net "$net" --batch "$BATCH" --steps "$STEPS" "$@" 2>/dev/null
}
torch() { /usr/bin/python3 bench/resnet_pass.py --batch "$BATCH" --steps "$STEPS" --threads "$THREADS" "$@"; }
field() { sed -n "s/^$1=//p"; }

echo "machine shared with other jobs: load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores;" \
  "each figure is the best of $ROUNDS interleaved rounds"
declare -A best
sides=(ours bare torch torch-cl)
for round in $(seq "$ROUNDS"); do
  for side in "${sides[@]}"; do
    case $side in
      ours) out=$(ours ours) ;;
      bare) out=$(ours bare) ;;
      torch) out=$(torch) ;;
      torch-cl) out=$(torch --channels-last) ;;
    esac
    f=$(echo "$out" | field forward_images_per_s); b=$(echo "$out" | field backward_images_per_s)
    t=$(echo "$out" | field images_per_s); c=$(echo "$out" | field images_per_cpu_s)
    echo "round $round: $side forward=$f backward=$b total=$t images/s, $c images per CPU-second"
    for k in f b t c; do
      v=${!k}; key="$side.$k"
      best[$key]=$(python3 -c 'import sys; print(max(float(x) for x in sys.argv[1:] if x))' "$v" "${best[$key]:-0}")
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %12s %12s %12s %14s  (best images/s)\n' side forward backward total per-CPU-s
for side in "${sides[@]}"; do
  printf '%-10s %12s %12s %12s %14s\n' "$side" "${best[$side.f]}" "${best[$side.b]}" "${best[$side.t]}" "${best[$side.c]}"
done
torch_version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')

if ((PROFILE)); then
  echo
  echo "per-op self time (libtorch profiler, ms per step of batch $BATCH; calls per step):"
  ours ours --profile "$OUT/resnet-ours.trace.json" >/dev/null
  torch --profile "$OUT/resnet-torch.trace.json" >/dev/null
  python3 bench/trace_ops.py "$STEPS" "djl-2.0.1=$OUT/resnet-ours.trace.json" \
    "torch-$torch_version=$OUT/resnet-torch.trace.json" --top 22
  echo
  echo "oneDNN primitives over two steps (warm-up and one timed) of each side (ONEDNN_VERBOSE=1; ms):"
  summarise_onednn() {
    python3 -c '
import sys, collections
t, n = collections.defaultdict(float), collections.Counter()
for line in sys.stdin:
    f = line.strip().split(",")
    if len(f) > 5 and f[0] in ("onednn_verbose", "dnnl_verbose") and f[1] == "exec":
        key = f"{f[3]:<12} {f[4]:<22} {f[5]:<18}"
        t[key] += float(f[-1]); n[key] += 1
for k in sorted(t, key=lambda k: -t[k]):
    print(f"  {sys.argv[1]:<12} {k} {n[k]:>4} calls {t[k]:>9.2f} ms")
if not t: print(f"  {sys.argv[1]:<12} (no oneDNN primitive ran: the convolutions use another backend)")
' "$1"
  }
  (ONEDNN_VERBOSE=1 DNNL_VERBOSE=1 ours ours --steps 1 --warmup 1) | summarise_onednn djl || true
  (ONEDNN_VERBOSE=1 DNNL_VERBOSE=1 /usr/bin/python3 bench/resnet_pass.py --batch "$BATCH" --steps 1 --warmup 1 \
    --threads "$THREADS") | summarise_onednn "torch" || true
fi

python3 - "${best[ours.t]}" "${best[bare.t]}" "${best[torch.t]}" "${best[torch-cl.t]}" "${best[ours.c]}" \
  "${best[torch.c]}" "$torch_version" <<'PY'
import sys
o, b, r, cl, oc, rc = (float(v) for v in sys.argv[1:7])
print(f"ours/bare={o / b:.3f} torch_channels_last/torch={cl / r:.3f} per-CPU-second ours/torch={oc / rc:.3f}")
print(f"ours={o:.2f} pytorch_{sys.argv[7]}={r:.2f} images/s ratio={o / r:.3f}")
PY
