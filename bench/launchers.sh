#!/usr/bin/env bash
# Launcher overhead: a 50-stage write-params DAG (independent stages fanning into one) built
# cold with each launcher, --jobs 2, on a fresh cache each time. Prints the wall time and the
# per-stage overhead of each launcher against the in-process run of the same DAG, measured in
# the same run. The Slurm row needs a cluster (scripts/slurm-test-cluster.sh start, then
# eval "$(scripts/slurm-test-cluster.sh env)"); without one it is skipped.
# Usage: bench/launchers.sh [STAGES] (default 50)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-50}"
work="$(mktemp -d "${TMPDIR:-/tmp}/robustcl-launchers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
{
  echo "stages:"
  for ((i = 0; i < n - 1; i++)); do
    echo "  s$i: {type: write-params, params: {n: $i}}"
  done
  printf '  join: {type: write-params, inputs: {after: [%s]}}\n' \
    "$(for ((i = 0; i < n - 1; i++)); do printf 's%d' "$i"; ((i < n - 2)) && printf ', '; done)"
  echo "targets: {all: join}"
} >"$work/pipeline.yaml"

"$root/pipeline" stages >/dev/null # build the jar first, outside the timings

wall() { # wall seconds of a cold build with launcher $1
  local start end
  rm -rf "$work/cache-$1"
  start=$(date +%s.%N)
  "$root/pipeline" run "$work/pipeline.yaml" --target all --jobs 2 --launcher "$1" \
    --cache "$work/cache-$1" --results "$work/results-$1" >"$work/$1.log" 2>&1 \
    || { echo "launcher $1 failed: see below" >&2; tail -5 "$work/$1.log" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l | awk '{printf "%.2f", $1}'
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $n stages, --jobs 2"
base=$(wall in-process)
echo "in-process  wall_s=$base"
launchers=(process)
if [[ -n "${SLURM_CONF:-}" ]] && sinfo -h >/dev/null 2>&1; then launchers+=(slurm); else echo "slurm       skipped: no cluster answers (SLURM_CONF unset or sinfo fails)"; fi
for l in "${launchers[@]}"; do
  t=$(wall "$l")
  per=$(echo "($t - $base) * 1000 / $n" | bc -l | awk '{printf "%.0f", $1}')
  ratio=$(echo "$t / $base" | bc -l | awk '{printf "%.1f", $1}')
  printf '%-11s wall_s=%s overhead_per_stage_ms=%s ratio_vs_in_process=%s\n' "$l" "$t" "$per" "$ratio"
done
