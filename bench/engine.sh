#!/usr/bin/env bash
# Engine benchmark: a 200-stage pipeline of the built-in write-params stage (a chain/tree
# mix), run once through ./pipeline, then timed: a fully cached re-run and a --dry-run (JVM
# start included), and an equivalent 200-rule no-op Snakemake workflow.
# Prints figures; asserts nothing. Usage: bench/engine.sh [STAGES] (default 200)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-200}"
work="$(mktemp -d "${TMPDIR:-/tmp}/robustcl-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# stage i depends on stage i-1 (a chain) when i % 4 != 0, else on stage i/2 (a tree branch)
gen_pipeline() {
  {
    echo "stages:"
    for ((i = 0; i < n; i++)); do
      echo "  s$i:"
      echo "    type: write-params"
      echo "    params: {n: $i, value: \"stage $i\"}"
      if ((i > 0)); then
        if ((i % 4 != 0)); then up=$((i - 1)); else up=$((i / 2)); fi
        echo "    inputs: {after: [s$up]}"
      fi
    done
    echo "targets:"
    echo "  all: [$(for ((i = 0; i < n; i++)); do printf 's%d' "$i"; ((i < n - 1)) && printf ', '; done)]"
  } >"$work/pipeline.yaml"
}

gen_snakefile() {
  mkdir -p "$work/smk"
  {
    echo "rule all:"
    printf '    input: [%s]\n' "$(for ((i = 0; i < n; i++)); do printf '"out/s%d.txt"' "$i"; ((i < n - 1)) && printf ', '; done)"
    for ((i = 0; i < n; i++)); do
      echo "rule s$i:"
      if ((i > 0)); then
        if ((i % 4 != 0)); then up=$((i - 1)); else up=$((i / 2)); fi
        echo "    input: \"out/s$up.txt\""
      fi
      echo "    output: \"out/s$i.txt\""
      echo "    shell: \"echo n=$i value=stage-$i > {output}\""
    done
  } >"$work/smk/Snakefile"
}

seconds() { # wall seconds of "$@", output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l | awk '{printf "%.3f", $1}'
}

best_of() { # best of 3 runs
  local best="" t
  for _ in 1 2 3; do
    t=$(seconds "$@")
    if [[ -z "$best" ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
  done
  echo "$best"
}

gen_pipeline
cd "$work"
echo "bench: $n write-params stages in $work/pipeline.yaml"
"$root/pipeline" run pipeline.yaml --target all --cache "$work/cache" --results "$work/results" >/dev/null
# a second cached run first, so the class-data-sharing archive made after a build is in place
"$root/pipeline" run pipeline.yaml --target all --cache "$work/cache" --results "$work/results" >/dev/null
out="$("$root/pipeline" run pipeline.yaml --target all --cache "$work/cache" --results "$work/results")"
if ! grep -q "$n cached" <<<"$out"; then
  echo "bench: the re-run was not fully cached:" >&2
  echo "$out" | tail -5 >&2
  exit 1
fi
cached=$(best_of "$root/pipeline" run pipeline.yaml --target all --cache "$work/cache" --results "$work/results")
dry=$(best_of "$root/pipeline" run pipeline.yaml --target all --cache "$work/cache" --dry-run)

if command -v snakemake >/dev/null; then
  gen_snakefile
  (cd "$work/smk" && snakemake --cores 1 --quiet >/dev/null 2>&1)
  echo "bench: $(snakemake --version) no-op re-run of $n rules"
  smk=$(cd "$work/smk" && best_of snakemake --cores 1 --quiet)
else
  echo "bench: snakemake is absent (as root: apt-get install -y snakemake); snakemake_noop_s=nan"
  smk=nan
fi

echo "cached_rerun_s=$cached"
echo "dry_run_s=$dry"
echo "snakemake_noop_s=$smk"
if [[ "$smk" == nan ]]; then
  echo "ratio=nan"
else
  echo "ratio=$(echo "$smk / $cached" | bc -l | awk '{printf "%.2f", $1}')"
fi
