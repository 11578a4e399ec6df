#!/usr/bin/env bash
# Build eventlint from the action's own checkout into EVENTLINT_ROOT (see setup.sh), unless it
# is already there (restored from the cache). Needs cargo on PATH (GitHub's hosted runners
# have it; elsewhere add a Rust toolchain step before the action).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
root=${EVENTLINT_ROOT:?EVENTLINT_ROOT (the install root from setup.sh) is not set}
exe=eventlint
[[ ${RUNNER_OS:-} == Windows ]] && exe=eventlint.exe

if [[ -x $root/bin/$exe ]]; then
  echo "eventlint is already installed in $root/bin"
  exit 0
fi
command -v cargo >/dev/null 2>&1 ||
  die "cargo is not on PATH: add a Rust toolchain (for example dtolnay/rust-toolchain@stable) before this action"

# The build directory stays out of the action's checkout (with `uses: ./` that is the
# workspace being analysed).
target_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/eventlint-target"
cargo install --locked --force --path "$action_path" --root "$root" --target-dir "$target_dir"
"$root/bin/$exe" --version
