#!/usr/bin/env bash
# Run eventlint once. The log gets the readable report; the same analysis is also written as
# JSON and GitHub workflow commands into the work directory and as SARIF to the `sarif-file`
# input (`eventlint check --report FORMAT=FILE`), which the later steps read.
#
# Exits 0 when eventlint ran (with or without findings: finish.sh fails the job later, after
# the annotations, the summary and the SARIF upload) and 2 when the run itself failed.
#
# Inputs: INPUT_PATH, INPUT_CONFIG, INPUT_FAIL_ON, INPUT_SARIF_FILE, INPUT_UPLOAD_SARIF (checked
# here; the upload step itself is conditional in action.yml).
# Outputs: exit-code, findings, errors, warnings, info, sarif-file, json-file.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail_on=${INPUT_FAIL_ON:-warning}
case $fail_on in
  error | warning | info) threshold=$fail_on ;;
  never) threshold=error ;; # eventlint's exit code is ignored by finish.sh
  *) die "fail-on must be error, warning, info or never, not \`$fail_on\`" ;;
esac
case ${INPUT_UPLOAD_SARIF:-true} in
  true | false) ;;
  *) die "upload-sarif must be true or false, not \`$INPUT_UPLOAD_SARIF\`" ;;
esac
sarif=${INPUT_SARIF_FILE:-eventlint.sarif}
read_paths
cd_workspace

work=$(work_dir)
rm -rf "$work"
mkdir -p "$work" "$(dirname "$sarif")"
printf '%s\n' "$fail_on" >"$work/fail-on"

args=(check --fail-on "$threshold"
  --report "json=$work/eventlint.json"
  --report "github=$work/annotations.txt"
  --report "sarif=$sarif")
if [[ -n ${INPUT_CONFIG:-} ]]; then
  args+=(--config "$INPUT_CONFIG")
fi
args+=(-- "${paths[@]}")

# The report quotes the templates: make sure nothing in them is read as a workflow command.
token="eventlint-$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n' || echo "$RANDOM$RANDOM")"
echo "::stop-commands::$token"
status=0
eventlint "${args[@]}" || status=$?
echo "::$token::"

if ((status > 1)); then
  die "eventlint could not run (exit code $status): see the log above"
fi
printf '%s\n' "$status" >"$work/exit-code"

count() { grep -c "^::$1 " "$work/annotations.txt" || true; }
errors=$(count error)
warnings=$(count warning)
info=$(count notice)
set_output exit-code "$status"
set_output findings "$((errors + warnings + info))"
set_output errors "$errors"
set_output warnings "$warnings"
set_output info "$info"
set_output sarif-file "$sarif"
set_output json-file "$work/eventlint.json"
