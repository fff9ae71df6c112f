#!/usr/bin/env bash
# Engine benchmark (issue 7): generated pipelines of 200, 2,000 and 10,000 write-params stages
# written as matrices with fan-out and fan-in:
#   seed -> mid (matrix over a, k stages) -> cell (matrix a x b, k*19 stages) -> join (reads every cell and mid)
#   seed -> pad (matrix, the rest up to N)
# Each is run once, then timed (JVM start included; best of 3): `plan --stats` (load and plan
# times, heap), a fully cached `run`, and `run --dry-run`; per-stage cost = cached run / N.
# Wall and CPU (user + system) seconds are printed: on a shared machine the wall time mostly
# measures the queue for the cores, the CPU time what the run itself costs. For the cached run
# also, from one more run with --stats: the CPU of its main thread (the engine's own work), of the whole
# JVM (the launcher's bash and the probe's exec excluded), and of its JIT and GC threads.
# Snakemake's no-op re-run of the same DAG as explicit rules is timed for 200 and 2,000 rules.
# The same fully cached run is then timed through the tool daemon (io.robustcl.cli.daemon): one is
# started for the bench (and stopped at its end), and each size is warmed with $warm runs first
# (the daemon's JIT compiles the hot code after a few); its wall and CPU (launcher + client) and the
# daemon's own CPU per run (from /proc) are printed, with the ratios against issue 7's goals:
# 200 stages at least 2x faster than Snakemake's no-op, 10,000 stages in under 3 s.
# All JVM-path figures run with --no-daemon.
# Prints figures; asserts nothing. Usage: bench/engine.sh [SIZES...] (default 200 2000 10000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes=("$@")
((${#sizes[@]})) || sizes=(200 2000 10000)
# BENCH_WORK=DIR keeps the generated pipelines and their caches in DIR (a later bench then skips
# building them: 10,000 stages take minutes to build)
if [[ -n "${BENCH_WORK:-}" ]]; then
  work="$(mkdir -p "$BENCH_WORK" && cd "$BENCH_WORK" && pwd)"
  cleanup=()
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/robustcl-bench.XXXXXX")"
  cleanup=("$work")
fi
warm=${BENCH_DAEMON_WARMUP:-10}
trap '"$root/pipeline" daemon stop >/dev/null 2>&1 || true; rm -rf ${cleanup[@]+"${cleanup[@]}"}' EXIT

shape() { # N -> "k pad": k mid stages of 19 cells each, and pad stages so that 2 + 20k + pad = N
  local n=$1 k
  k=$(((n - 2) / 20))
  echo "$k $((n - 2 - 20 * k))"
}

list() { # 0..n-1 as a YAML flow list
  local n=$1 i out=""
  for ((i = 0; i < n; i++)); do out+="${out:+, }$i"; done
  echo "[$out]"
}

gen_pipeline() { # N DIR
  local n=$1 dir=$2 k pad
  read -r k pad < <(shape "$n")
  mkdir -p "$dir"
  {
    echo "stages:"
    echo "  seed: {type: write-params, params: {n: 0, value: seed}}"
    echo "  mid:"
    echo "    type: write-params"
    echo "    matrix: {a: $(list "$k")}"
    echo "    inputs: {after: [seed]}"
    echo "    params: {n: \"\${item.a}\", value: \"mid \${item.a}\"}"
    echo "  cell:"
    echo "    type: write-params"
    echo "    matrix: {a: $(list "$k"), b: $(list 19)}"
    echo "    inputs: {after: [\"mid@\${item.a}\"]}"
    echo "    params: {n: \"\${item.b}\", value: \"cell \${item.a}-\${item.b}\"}"
    if ((pad > 0)); then
      echo "  pad:"
      echo "    type: write-params"
      echo "    matrix: {p: $(list "$pad")}"
      echo "    inputs: {after: [seed]}"
      echo "    params: {n: \"\${item.p}\", value: pad}"
    fi
    echo "  join: {type: write-params, inputs: {after: [cell, mid$( ((pad > 0)) && echo ", pad")]}, params: {value: join}}"
    echo "targets:"
    echo "  all: [join]"
  } >"$dir/pipeline.yaml"
}

gen_snakefile() { # N DIR: the same DAG as explicit rules
  local n=$1 dir=$2 k pad a b p inputs=""
  read -r k pad < <(shape "$n")
  mkdir -p "$dir"
  {
    echo "rule all:"
    echo "    input: \"out/join.txt\""
    echo "rule seed:"
    echo "    output: \"out/seed.txt\""
    echo "    shell: \"echo seed > {output}\""
    for ((a = 0; a < k; a++)); do
      echo "rule mid_$a:"
      echo "    input: \"out/seed.txt\""
      echo "    output: \"out/mid_$a.txt\""
      echo "    shell: \"echo mid $a > {output}\""
      inputs+="\"out/mid_$a.txt\", "
      for ((b = 0; b < 19; b++)); do
        echo "rule cell_${a}_$b:"
        echo "    input: \"out/mid_$a.txt\""
        echo "    output: \"out/cell_${a}_$b.txt\""
        echo "    shell: \"echo cell $a $b > {output}\""
        inputs+="\"out/cell_${a}_$b.txt\", "
      done
    done
    for ((p = 0; p < pad; p++)); do
      echo "rule pad_$p:"
      echo "    input: \"out/seed.txt\""
      echo "    output: \"out/pad_$p.txt\""
      echo "    shell: \"echo pad $p > {output}\""
      inputs+="\"out/pad_$p.txt\", "
    done
    echo "rule join:"
    echo "    input: [${inputs%, }]"
    echo "    output: \"out/join.txt\""
    echo "    shell: \"echo join > {output}\""
  } >"$dir/Snakefile"
}

seconds() { # "WALL CPU" seconds of "$@" (CPU = user + system of it and its children); stdout discarded, stderr in $work/last.err
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$@" >/dev/null 2>"$work/last.err"; } 2>&1)
  awk '{printf "%.3f %.3f", $1, $2 + $3}' <<<"$t"
}

best_of() { # "WALL CPU" of the run with the best wall time of 3; its stderr in $work/best.err
  local best="" t
  for _ in 1 2 3; do
    t=$(seconds "$@")
    if [[ -z "$best" ]] || (($(echo "${t% *} < ${best% *}" | bc -l))); then best=$t; cp "$work/last.err" "$work/best.err"; fi
  done
  echo "$best"
}

stat_of() { # NAME: the value of NAME_ms in the --stats line in $work/best.err, in seconds (nan without it)
  local ms
  ms=$(grep '^stats:' "$work/best.err" | sed -nE "s/.* $1_ms=([0-9]+).*/\1/p")
  if [[ -n "$ms" ]]; then echo "$ms / 1000" | bc -l | awk '{printf "%.3f", $1}'; else echo nan; fi
}

daemon_cpu() { # CPU seconds (user + system) the daemon process PID has used so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"
}

smk_version=""
command -v snakemake >/dev/null && smk_version="$(snakemake --version)"
echo "bench: engine, write-params stages; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); snakemake ${smk_version:-absent}"
"$root/pipeline" --no-daemon stages >/dev/null # builds the jar if needed
"$root/pipeline" daemon stop >/dev/null 2>&1 || true
"$root/pipeline" daemon start --idle 1h >/dev/null
daemon_pid=$("$root/pipeline" daemon status | sed -nE 's/.*pid ([0-9]+).*/\1/p')
pipeline() { "$root/pipeline" --no-daemon "$@"; } # the JVM-path figures, as without a daemon
for n in "${sizes[@]}"; do
  dir="$work/p$n"
  gen_pipeline "$n" "$dir"
  args=(pipeline.yaml --target all --cache "$dir/cache")
  cd "$dir"
  pipeline run "${args[@]}" --results "$dir/results" >/dev/null
  # a second cached run first, so the class-data-sharing archive made after a build is in place
  out="$(pipeline run "${args[@]}" --results "$dir/results")"
  if ! grep -q "$n cached" <<<"$out"; then
    echo "bench: the re-run of $n stages was not fully cached:" >&2
    tail -3 <<<"$out" >&2
    exit 1
  fi
  stats="$(pipeline plan "${args[@]}" --stats 2>&1 >/dev/null | grep '^stats:')"
  read -r cached cached_cpu < <(best_of pipeline run "${args[@]}" --results "$dir/results")
  # once more with --stats (its heap figures end with a full GC, so it is not one of the timed runs)
  seconds pipeline run "${args[@]}" --results "$dir/results" --stats >/dev/null
  cp "$work/last.err" "$work/best.err"
  main_cpu=$(stat_of main_cpu) jvm_cpu=$(stat_of process_cpu) jit_cpu=$(stat_of jit_cpu) gc_cpu=$(stat_of gc_cpu)
  read -r dry dry_cpu < <(best_of pipeline run "${args[@]}" --dry-run)
  per=$(echo "$cached * 1000 / $n" | bc -l | awk '{printf "%.3f", $1}')
  load=$(sed -E 's/.*load_ms=([0-9]+).*/\1/' <<<"$stats")
  plan=$(sed -E 's/.*plan_ms=([0-9]+).*/\1/' <<<"$stats")
  heap=$(sed -E 's/.*heap_peak_mb=([0-9]+).*/\1/' <<<"$stats")
  live=$(sed -E 's/.*heap_live_mb=([0-9]+).*/\1/' <<<"$stats")
  smk=nan smk_cpu=nan
  if [[ -n "$smk_version" && "$n" -le 2000 ]]; then
    gen_snakefile "$n" "$dir/smk"
    (cd "$dir/smk" && snakemake --cores 1 --quiet >/dev/null 2>&1)
    read -r smk smk_cpu < <(cd "$dir/smk" && best_of snakemake --cores 1 --quiet)
  fi
  # through the daemon: warmed, then the best of 3 (its CPU: the average of the 3)
  for ((i = 0; i < warm; i++)); do "$root/pipeline" run "${args[@]}" --results "$dir/results" >/dev/null; done
  d0=$(daemon_cpu "$daemon_pid")
  read -r served served_cpu < <(best_of "$root/pipeline" run "${args[@]}" --results "$dir/results")
  served_daemon_cpu=$(echo "($(daemon_cpu "$daemon_pid") - $d0) / 3" | bc -l | awk '{printf "%.3f", $1}')
  if ! grep -q "$n cached" < <("$root/pipeline" run "${args[@]}" --results "$dir/results"); then
    echo "bench: the daemon's cached run of $n stages did not say '$n cached'" >&2
    exit 1
  fi
  ratio=nan daemon_ratio=nan goal=""
  [[ "$smk" != nan ]] && ratio=$(echo "$smk / $cached" | bc -l | awk '{printf "%.2f", $1}')
  [[ "$smk" != nan ]] && daemon_ratio=$(echo "$smk / $served" | bc -l | awk '{printf "%.2f", $1}')
  if ((n == 200)); then
    goal=" goal_200=$(awk -v r="$daemon_ratio" 'BEGIN{print (r != "nan" && r >= 2) ? "met" : "not-met"}')(>=2x)"
  elif ((n == 10000)); then
    goal=" goal_10000=$(awk -v s="$served" 'BEGIN{print s < 3 ? "met" : "not-met"}')(<3s)"
  fi
  echo "stages=$n load_ms=$load plan_ms=$plan heap_peak_mb=$heap heap_live_mb=$live cached_run_s=$cached" \
    "cached_run_cpu_s=$cached_cpu cached_run_main_cpu_s=$main_cpu cached_run_jvm_cpu_s=$jvm_cpu jit_cpu_s=$jit_cpu" \
    "gc_cpu_s=$gc_cpu dry_run_s=$dry dry_run_cpu_s=$dry_cpu per_stage_ms=$per" \
    "snakemake_noop_s=$smk snakemake_noop_cpu_s=$smk_cpu snakemake_over_cached=$ratio" \
    "daemon_cached_run_s=$served daemon_cached_run_client_cpu_s=$served_cpu daemon_cpu_per_run_s=$served_daemon_cpu" \
    "snakemake_over_daemon=$daemon_ratio$goal load=$(cut -d' ' -f1 /proc/loadavg)"
  cd "$root"
done
