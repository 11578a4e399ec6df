#!/usr/bin/env bash
# Write the job summary: the counts of findings per rule as a Markdown table, whether the
# check fails, and the event graph as a Mermaid diagram (`eventlint graph --format mermaid`),
# which GitHub draws. Reads the findings of the check step from the work directory.
#
# Inputs: INPUT_PATH (the same paths as the check step).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_paths
cd_workspace
work=$(work_dir)
commands="$work/annotations.txt"
[[ -f $commands && -f $work/exit-code ]] || die "no findings to summarise: did the check step run?"
status=$(<"$work/exit-code")
fail_on=$(<"$work/fail-on")
out=${GITHUB_STEP_SUMMARY:-/dev/stdout}

# Rule documentation lives in the action's repository, at the version the workflow uses.
doc_base=
if [[ -n ${GITHUB_ACTION_REPOSITORY:-} && -n ${GITHUB_ACTION_REF:-} ]]; then
  doc_base="${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_ACTION_REPOSITORY/blob/$GITHUB_ACTION_REF/rules/docs"
fi

# `::warning file=...,title=EL106 visibility-timeout-too-short::message`: properties escape `,`
# and `:`, so the title runs from the first `,title=` to the next `::`.
rows=$(awk '
  /^::(error|warning|notice) / {
    kind = substr($0, 3, index($0, " ") - 3)
    rest = substr($0, index($0, ",title=") + 7)
    title = substr(rest, 1, index(rest, "::") - 1)
    split(title, part, " ")
    code = part[1]
    name[code] = part[2]
    n[code, kind]++
  }
  END {
    for (key in name) {
      printf "%s\t%s\t%d\t%d\t%d\n", key, name[key], n[key, "error"], n[key, "warning"], n[key, "notice"]
    }
  }' "$commands" | LC_ALL=C sort)

errors=$(grep -c '^::error ' "$commands" || true)
warnings=$(grep -c '^::warning ' "$commands" || true)
info=$(grep -c '^::notice ' "$commands" || true)
total=$((errors + warnings + info))

# shellcheck disable=SC2016 # backticks are Markdown here
where=$(printf '`%s`, ' "${paths[@]}")
where=${where%, }
if [[ $fail_on == never ]]; then
  verdict="The check does not fail (\`fail-on: never\`)."
elif ((status == 1)); then
  verdict="**The check fails**: findings at or above \`$fail_on\`."
else
  verdict="The check passes: no finding at or above \`$fail_on\`."
fi

{
  echo "## eventlint"
  echo
  if ((total == 0)); then
    echo "No findings in $where. $verdict"
  else
    echo "**$(counted "$total" finding)** in $where: $(counted "$errors" error), $(counted "$warnings" warning), $info info. $verdict"
    echo
    echo "| Rule | Name | Errors | Warnings | Info |"
    echo "|---|---|---:|---:|---:|"
    while IFS=$'\t' read -r code name e w i; do
      [[ -n $code ]] || continue
      label="\`$code\`"
      [[ -n $doc_base ]] && label="[\`$code\`]($doc_base/$code.md)"
      echo "| $label | $name | $e | $w | $i |"
    done <<<"$rows"
    echo "| **Total** | | $errors | $warnings | $info |"
  fi
  echo
} >>"$out"

# The graph: GitHub's Mermaid refuses diagrams above 50,000 characters.
graph_status=0
graph=$(eventlint graph --format mermaid -- "${paths[@]}" 2>"$work/graph.err") || graph_status=$?
{
  echo "### Event graph"
  echo
  if ((graph_status != 0)); then
    echo "_\`eventlint graph\` failed (exit code $graph_status)._"
  elif (($(printf '%s\n' "$graph" | grep -c .) <= 1)); then
    echo "_No event graph: no producers, channels or consumers found._"
  elif ((${#graph} > 50000)); then
    echo "_The event graph is too large for GitHub to draw (${#graph} characters of Mermaid); run \`eventlint graph\` locally (\`--format dot\` for Graphviz)._"
  else
    echo '```mermaid'
    printf '%s\n' "$graph"
    echo '```'
  fi
  echo
} >>"$out"
