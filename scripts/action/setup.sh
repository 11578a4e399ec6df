#!/usr/bin/env bash
# Where eventlint is installed and the cache key of that installation.
#
# The key is the hash of the sources `cargo install` builds from (Cargo.toml, Cargo.lock, src/,
# data/, rules/, vendor/), so any change of the action's version that changes the binary
# changes the key, and a moving tag such as `v1` never serves a stale binary. The install root
# has the key in its name, so a runner that keeps its tool cache never mixes two versions.
# Puts the root's bin/ on PATH for the following steps (and the rest of the job).
#
# Outputs: cache-key, root, bin-dir.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[[ -f $action_path/Cargo.toml ]] || die "no Cargo.toml in the action's directory \`$action_path\`"

if command -v sha256sum >/dev/null 2>&1; then
  hasher=(sha256sum)
elif command -v shasum >/dev/null 2>&1; then
  hasher=(shasum -a 256)
else
  die "neither sha256sum nor shasum is installed"
fi

sources=()
for f in Cargo.toml Cargo.lock build.rs src data rules vendor; do
  [[ -e $action_path/$f ]] && sources+=("$f")
done
# One line per file (hash and path relative to the action), in a fixed order; then the hash of
# that listing.
hash=$(
  cd "$action_path"
  find "${sources[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 "${hasher[@]}" | "${hasher[@]}"
)
hash=${hash%% *}
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$action_path/Cargo.toml" | head -n 1)
key="eventlint-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-${version:-unknown}-${hash:0:20}"

base=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}
root="$base/eventlint/${hash:0:20}"
bin_dir="$root/bin"

echo "eventlint ${version:-?} from $action_path"
echo "install root: $root"
echo "cache key:    $key"
set_output cache-key "$key"
set_output root "$root"
set_output bin-dir "$bin_dir"
if [[ -n ${GITHUB_PATH:-} ]]; then
  printf '%s\n' "$bin_dir" >>"$GITHUB_PATH"
fi
