#!/usr/bin/env bash
# Builds RoCL table 2 on the micro profile (seconds to a minute), writes its HTML report and
# saves a screenshot of it with headless Chromium, so a reviewer can look at the page.
#
#   scripts/report-screenshot.sh --screenshot results/report-screenshot.png [--target T] [--profile P]
#
# Needs Debian's chromium (apt-get install chromium). The cache and results go to a scratch
# directory unless --cache/--results are given.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=results/report-screenshot.png
target=table2
profile=micro
scratch=$(mktemp -d)
cache=$scratch/cache
results=$scratch/results
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) shot=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    *) echo "usage: $0 --screenshot FILE [--target T] [--profile P] [--cache DIR] [--results DIR]" >&2; exit 2 ;;
  esac
done
command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium" >&2; exit 2; }
./pipeline run pipelines.yaml --target "$target" --profile "$profile" --cache "$cache" --results "$results" >/dev/null
index=$(cd "$results/report" && pwd)/index.html
mkdir -p "$(dirname "$shot")"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,1800 \
  --screenshot="$shot" "file://$index" 2>/dev/null
echo "report: $index"
echo "screenshot: $shot"
