#!/usr/bin/env bash
# Run every fuzz target (or those named) one after the other, each for SECONDS (default 600),
# one process, at the lowest priority. Crashes land in fuzz/artifacts/<target>/.
# Usage: bash fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(load intrinsics pattern python js)
[ -d corpus ] || bash seed.sh
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t: ${secs}s"
  nice -n 19 cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 2>&1 | tail -n 25
done
