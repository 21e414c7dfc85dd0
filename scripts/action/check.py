"""The action's check step: `dagshift check` on the workspace, as annotations (or text) in the log and,
when upload-sarif is true, as SARIF for code scanning.

It exits 0 once dagshift has run, leaving dagshift's exit code in the step's `exit-code` output: the
SARIF upload comes next, and the action's last step exits with that code (1 when findings remain;
`args: --exit-zero` makes it 0). Standard library only: it runs in the action's virtualenv.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Optional

TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")


def flag(name: str) -> Optional[bool]:
    """A boolean input (Actions hands every input over as a string); None when it is neither."""
    value = os.environ.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip().lower()
    return True if value in TRUE else False if value in FALSE else None


def dagshift_check(fmt: str, *extra: str) -> list[str]:
    dagshift = str(Path(os.environ["DAGSHIFT_VENV"]) / "bin" / "dagshift")
    target = os.environ.get("INPUT_TARGET_VERSION", "").strip()
    paths = shlex.split(os.environ.get("INPUT_PATHS", "")) or ["."]
    return [dagshift, "check", *(["--target-version", target] if target else []),
            *shlex.split(os.environ.get("INPUT_ARGS", "")), "--format", fmt, *extra, "--", *paths]


def set_outputs(**outputs: str) -> None:
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            handle.write(f"{name.replace('_', '-')}={value}\n")


def main() -> int:
    annotate, upload = flag("annotate"), flag("upload-sarif")
    for name, value in (("annotate", annotate), ("upload-sarif", upload)):
        if value is None:
            print(f"::error title=dagshift action::the `{name}` input is true or false, not "
                  f"{os.environ.get('INPUT_' + name.upper().replace('-', '_'))!r}")
            return 2
    # The findings in the log first (as workflow commands GitHub turns into annotations, or as text);
    # its exit code is the action's.
    code = subprocess.run(dagshift_check("github" if annotate else "text")).returncode
    sarif = ""
    if upload:
        # A second run reads the first one's results from dagshift's cache.
        sarif = str(Path(os.environ.get("RUNNER_TEMP") or ".") / "dagshift.sarif")
        subprocess.run(dagshift_check("sarif", "--output", sarif))
    set_outputs(exit_code=str(code), sarif_file=sarif)
    return 0


if __name__ == "__main__":
    sys.exit(main())
