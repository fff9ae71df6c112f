#!/usr/bin/env bash
# AutoAttack's standard version (l_inf 8/255: APGD-CE, APGD-T 9 targets, FAB-T 9 targets, Square 5000
# queries) on a CIFAR ResNet-18 (width 64, random weights; labels = its own predictions, so every image
# starts robust), CPU, 2 threads, one batch of --images (default 32). Prints images/s of the whole
# ensemble and the fraction of the time spent outside the network's forward and backward passes:
# the same attacks, batch and budget run again on a null network (a linear map that costs nothing and
# that no attack breaks, so all the work runs); that run's time over the ResNet run's time. A Java
# Flight Recorder profile of the null run lists where the attacks' own time goes. Goal: at most 0.10.
# Usage: bench/autoattack.sh [--images N] [--eps E] [--iterations I] [--queries Q] [--sample-ms MS]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2
mvn -B -o -q test-compile >&2
CP_FILE=target/bench.classpath
mvn -B -o -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >&2
CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
export OMP_NUM_THREADS=$THREADS
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
echo "machine may be shared with other jobs: figures are as measured (load: $(cut -d' ' -f1 /proc/loadavg))" >&2
java -Xmx4g -XX:FlightRecorderOptions:stackdepth=256 -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$THREADS -Dai.djl.pytorch.num_interop_threads=1 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.robustcl.ml.attack.AutoAttackBenchmark "$@" \
  2>target/bench-autoattack.err
