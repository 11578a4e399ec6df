#!/usr/bin/env bash
# One-time setup for the benchmarks: cfn-lint (PyPI) in a virtualenv under target/, so that
# `scripts/bench.sh` can time it on the same templates. Not needed for tests or CI.
# CFN_LINT_VERSION pins a version (default: the latest release).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "cfn-lint${CFN_LINT_VERSION:+==$CFN_LINT_VERSION}"
"$venv/bin/cfn-lint" --version
