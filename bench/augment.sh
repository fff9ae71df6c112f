#!/usr/bin/env bash
# SimCLR augmentation throughput, 32x32 images, two views per image, 2 threads:
# ours (io.robustcl.ml.data.AugmentBenchmark from the test classpath, DJL/PyTorch on the CPU)
# against the torchvision reference ../shared/bench/augment.py (Debian's python3-torch).
# Last line: ours=<views/s> reference=<views/s> ratio=<ours/ref>
# Both sides run with OMP_WAIT_POLICY=PASSIVE: on this shared 2-core machine (load ~10), libgomp's
# default spin-waiting made 2 intra-op threads 7-20x slower than 1 thread (threads spin while
# their partner is descheduled); measured: 359 views/s spinning vs 7706 views/s passive.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
BATCH=${BATCH:-500}
IMAGES=${IMAGES:-2000}
THREADS=${THREADS:-2}
mvn -B -o -q test-compile
CP=$(mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
OMP_NUM_THREADS=$THREADS java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" \
  -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/classes:target/test-classes:$CP" io.robustcl.ml.data.AugmentBenchmark --images "$IMAGES" --batch "$BATCH" \
  | tee /tmp/augment-ours.$$
REF_OUT=$(/usr/bin/python3 ../shared/bench/augment.py --images "$IMAGES" --threads "$THREADS")
echo "reference: $REF_OUT"
OURS=$(sed -n 's/^views_per_s=//p' /tmp/augment-ours.$$ | tail -1)
REF=$(echo "$REF_OUT" | sed -n 's/^views_per_s=//p' | tail -1)
rm -f /tmp/augment-ours.$$
echo "ours=$OURS reference=$REF ratio=$(awk -v a="$OURS" -v b="$REF" 'BEGIN{printf "%.2f", a/b}')"
