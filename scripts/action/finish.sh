#!/usr/bin/env bash
# Fail the step (and so the job) as the `fail-on` input says: when eventlint exited with 1,
# there are findings at or above that severity; `never` only reports.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

work=$(work_dir)
[[ -f $work/exit-code && -f $work/fail-on ]] || die "no result: did the check step run?"
status=$(<"$work/exit-code")
fail_on=$(<"$work/fail-on")

if [[ $fail_on == never ]]; then
  echo "eventlint: fail-on is never, the step passes"
  exit 0
fi
if ((status != 0)); then
  echo "eventlint: findings at or above \`$fail_on\` (see the log of the check step, the annotations and the job summary)"
  exit 1
fi
echo "eventlint: no finding at or above \`$fail_on\`"
