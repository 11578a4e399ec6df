#!/usr/bin/env bash
# The benchmarks, release build, at low priority (the machine is shared):
#   scripts/bench.sh [CORPUS_DIR] [--runs N] [--child-runs N] [--cfn-lint-procs N] [--no-cfn-lint]
#       floor / load / graph / full check over a template folder (default ../shared/corpus),
#       the release binary with --jobs 1 and 2 (time, peak memory), and cfn-lint on the same files
#       when scripts/bench-setup.sh has installed it.
#   scripts/bench.sh scale [--scales 0.25,0.5,1,2,4] [--runs N]
#       a generated monorepo (1x = 5,000 templates, 20,000 functions with handler code) and one
#       template at CloudFormation's 500-resource limit: time and peak memory per scale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "scale" ]]; then
    shift
    exec nice -n 19 cargo bench --locked --bench scale -- "$@"
fi
exec nice -n 19 cargo bench --locked --bench corpus -- "$@"
