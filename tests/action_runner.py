"""A stand-in for GitHub's runner of composite actions, enough for dagshift's action.yml.

Each step runs as Actions runs a `shell: bash` step (`bash --noprofile --norc -eo pipefail`) in the
workspace, with the job's environment, the step's `env`, GITHUB_ACTION_PATH and a GITHUB_OUTPUT file
read back as the step's outputs; the first step that fails ends the action. Expressions may name
`inputs.*`, `runner.temp`, `github.token`, `github.action_path` and `steps.<id>.outputs.*`; anything
else (an `if:`, a `uses:` step, another expression) is an error, so a test never passes over what it
did not run.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
STEP_KEYS = {"name", "id", "shell", "run", "env"}


@dataclass
class Step:
    name: str
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    steps: list[Step]
    outputs: dict[str, str]

    @property
    def code(self) -> int:
        """The action's exit code: its first failing step's, else 0."""
        return next((s.code for s in self.steps if s.code), 0)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


def declared_inputs(action_dir: Path) -> dict[str, Any]:
    return load(action_dir)["inputs"]


def load(action_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))


def as_input(value: Any) -> str:
    """Actions hands every input over as a string; YAML's true is "true"."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def run_action(action_dir: Path, with_: dict[str, Any], env: dict[str, str], workspace: Path) -> Run:
    action = load(action_dir)
    assert action["runs"]["using"] == "composite"
    unknown = set(with_) - set(action["inputs"])
    assert not unknown, f"inputs action.yml does not declare: {sorted(unknown)}"
    context: dict[str, Any] = {
        "runner": {"temp": env["RUNNER_TEMP"]},
        "github": {"token": env["DAGSHIFT_TEST_TOKEN"], "action_path": str(action_dir)},
        "steps": {},
        "step_ids": {spec["id"] for spec in action["runs"]["steps"] if "id" in spec},
    }
    context["inputs"] = {name: evaluate(as_input(with_.get(name, spec.get("default", ""))), context)
                         for name, spec in action["inputs"].items()}
    steps: list[Step] = []
    for index, spec in enumerate(action["runs"]["steps"]):
        assert set(spec) <= STEP_KEYS and spec["shell"] == "bash", spec
        output = Path(env["RUNNER_TEMP"]) / f"github-output-{index}"
        output.write_text("")
        step_env = {**env, "GITHUB_ACTION_PATH": str(action_dir), "GITHUB_OUTPUT": str(output),
                    **{key: evaluate(str(value), context) for key, value in spec.get("env", {}).items()}}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", evaluate(spec["run"], context)],
                              cwd=workspace, env=step_env, capture_output=True, text=True, timeout=900)
        step = Step(spec["name"], proc.returncode, proc.stdout, proc.stderr, read_outputs(output))
        steps.append(step)
        if "id" in spec:
            context["steps"][spec["id"]] = {"outputs": step.outputs}
        if proc.returncode:
            break
    outputs = {name: evaluate(spec["value"], context) for name, spec in action.get("outputs", {}).items()}
    return Run(steps, outputs)


def evaluate(text: str, context: dict[str, Any]) -> str:
    if "${{" in EXPRESSION.sub("", text):
        raise ValueError(f"the stand-in runner cannot evaluate an expression in {text!r}")
    return EXPRESSION.sub(lambda match: lookup(match.group(1), context), text)


def lookup(expression: str, context: dict[str, Any]) -> str:
    parts = expression.split(".")
    if parts[0] == "steps":
        # An output of a step that did not set it, or did not run, is empty, as on GitHub.
        if len(parts) != 4 or parts[2] != "outputs" or parts[1] not in context["step_ids"]:
            raise ValueError(f"the stand-in runner cannot evaluate ${{{{ {expression} }}}}")
        return context["steps"].get(parts[1], {}).get("outputs", {}).get(parts[3], "")
    found: Any = context
    for part in parts:
        if not isinstance(found, dict) or part not in found:
            raise ValueError(f"the stand-in runner cannot evaluate ${{{{ {expression} }}}}")
        found = found[part]
    return str(found)


def read_outputs(path: Path) -> dict[str, str]:
    """`name=value` lines of a GITHUB_OUTPUT file (the scripts write no multi-line values)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all("=" in line and "<<" not in line.split("=", 1)[0] for line in lines), lines
    return dict(line.split("=", 1) for line in lines)
