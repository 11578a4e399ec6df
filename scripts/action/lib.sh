# shellcheck shell=bash
# Shared by the scripts of the GitHub Action (action.yml); sourced, not run.
#
# The scripts pass their state through a work directory (`$RUNNER_TEMP/eventlint-action`, or
# `$EVENTLINT_ACTION_WORK`), not through step outputs, so they can also be run by hand in order:
#
#   RUNNER_TEMP=/tmp/el INPUT_PATH=fixtures/examples/order-service scripts/action/check.sh
#   RUNNER_TEMP=/tmp/el scripts/action/annotate.sh
#   RUNNER_TEMP=/tmp/el INPUT_PATH=fixtures/examples/order-service scripts/action/summary.sh
#   RUNNER_TEMP=/tmp/el scripts/action/finish.sh
#
# Outside GitHub Actions, outputs go nowhere and the job summary goes to standard output.
# Inputs arrive as INPUT_* environment variables, set by `env:` in action.yml.

# The work directory shared by the steps of one run of the action.
work_dir() {
  printf '%s\n' "${EVENTLINT_ACTION_WORK:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/eventlint-action}"
}

# Print an error as a workflow command (an annotation on the run) and exit with status 2.
die() {
  printf '::error title=eventlint action::%s\n' "$*"
  exit 2
}

# Set a step output (`name=value` on one line; values never contain a newline here).
set_output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# The `path` input as an array `paths`: one path per line, blank lines skipped, "." when empty.
read_paths() {
  paths=()
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    # trim surrounding blanks
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -n $line ]] && paths+=("$line")
  done <<<"${INPUT_PATH:-}"
  if ((${#paths[@]} == 0)); then
    paths=(.)
  fi
}

# "1 error", "2 errors": the count and the noun, plural with an `s` unless the count is 1.
counted() {
  if (($1 == 1)); then
    printf '%s %s' "$1" "$2"
  else
    printf '%s %ss' "$1" "$2"
  fi
}

# Change to the repository root so that paths in SARIF and annotations are relative to it.
cd_workspace() {
  if [[ -n ${GITHUB_WORKSPACE:-} ]]; then
    cd "$GITHUB_WORKSPACE" || die "cannot change to the workspace \`$GITHUB_WORKSPACE\`"
  fi
}
