#!/usr/bin/env bash
# The action's first step: dagshift from the action's own checkout ($GITHUB_ACTION_PATH), in a
# virtualenv of its own under the runner's temp folder, so the job's Python and PATH stay as they
# were. A second use of the action in the same job finds it installed and goes on.
set -euo pipefail
venv="${DAGSHIFT_VENV:?names the virtualenv to install into}"
checkout="${GITHUB_ACTION_PATH:?names the checkout of the action}"
stamp="$venv/.dagshift-action-checkout"
if [ -x "$venv/bin/dagshift" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$checkout" ]; then
  echo "dagshift is already installed in $venv: $("$venv/bin/dagshift" --version)"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$checkout"
printf '%s\n' "$checkout" > "$stamp"
echo "installed $("$venv/bin/dagshift" --version) in $venv"
