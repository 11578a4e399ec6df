#!/usr/bin/env bash
# Annotate the most severe findings: errors first, then warnings, then info (as notices), each
# kind in file order, at most INPUT_ANNOTATIONS_LIMIT in all and at most 10 of a kind (GitHub
# shows no more than 10 annotations of each kind per step, and 50 per job).
#
# Inputs: INPUT_ANNOTATIONS (true/false), INPUT_ANNOTATIONS_LIMIT (default 10).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${INPUT_ANNOTATIONS:-true} in
  true) ;;
  false)
    echo "annotations are turned off"
    exit 0
    ;;
  *) die "annotations must be true or false, not \`$INPUT_ANNOTATIONS\`" ;;
esac
limit=${INPUT_ANNOTATIONS_LIMIT:-10}
[[ $limit =~ ^[0-9]+$ ]] || die "annotations-limit must be a whole number, not \`$limit\`"
per_kind=10

commands="$(work_dir)/annotations.txt"
[[ -f $commands ]] || die "no findings to annotate: did the check step run?"

total=$(grep -c '^::' "$commands" || true)
shown=0
for kind in error warning notice; do
  take=$((limit - shown))
  ((take > per_kind)) && take=$per_kind
  ((take > 0)) || break
  lines=$(awk -v prefix="::$kind " -v max="$take" \
    'index($0, prefix) == 1 && n < max { print; n++ }' "$commands")
  if [[ -n $lines ]]; then
    printf '%s\n' "$lines"
    shown=$((shown + $(printf '%s\n' "$lines" | wc -l)))
  fi
done
echo "eventlint: $shown of $total findings annotated; the log of the check step lists all of them"
