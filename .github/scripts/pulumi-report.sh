#!/usr/bin/env bash
# Runs one Pulumi command, shows its output in the log, and writes the output as Markdown to the job
# summary and to a file a pull-request comment is made from. Exits with the command's status, so that a
# failed preview still leaves its output behind to be posted.
#
#   .github/scripts/pulumi-report.sh OUT.md pulumi preview --diff --stack prod
# shellcheck disable=SC2016 # the backticks in single quotes are Markdown, not command substitution
set -uo pipefail
out=$1
shift

log=$(mktemp)
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# A comment holds at most 65,536 characters; the end of a preview (the summary, the errors) matters most.
limit=55000
size=$(wc -c <"$log")
commit=${HEAD_SHA:-$GITHUB_SHA}
{
  if [ "$status" -eq 0 ]; then icon="✅"; else icon="❌ (exit $status)"; fi
  printf '### %s `%s`\n\n' "$icon" "$*"
  printf 'Commit %s, [run %s](%s/%s/actions/runs/%s).\n\n' "${commit:0:12}" "$GITHUB_RUN_ID" "$GITHUB_SERVER_URL" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
  if [ "$size" -gt "$limit" ]; then printf '_Output cut to its last %s characters; the whole output is in the run log._\n\n' "$limit"; fi
  echo '<details open><summary>Output</summary>'
  echo
  echo '````text'
  # A line of four backticks in the output would close the fence early.
  tail -c "$limit" "$log" | sed 's/````/` ` ` `/g'
  echo '````'
  echo
  echo '</details>'
} >"$out"
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$out" >>"$GITHUB_STEP_SUMMARY"
exit "$status"
