"""What a DS515 call gets from around it: whether the file's environment installs the distribution
its successor lives in, when that is not the old class's own (DataflowCreatePythonJobOperator ->
apache-beam's BeamRunPythonPipelineOperator); whether a dict elsewhere in the file may hand it an
argument (`default_args`).

MWAA installs a few providers itself (rules/requirements/tables.installed_providers); any other one
comes from the environment's requirements files. A fix that imports from a distribution those files
do not name would make DS305 report the requirements file: it is refused, and the finding says what
to add. With no requirements file at all nothing reports the missing distribution, so the fix is
made (unsafe, as every DS515 fix) and the finding says what the environment must install.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def successor_install(ctx: Any, entry: dict) -> tuple[Optional[str], Optional[str]]:
    """(why there is no fix, what the message adds): both None where nothing is missing."""
    from dagshift.rules.requirements.tables import installed_providers

    dist, own = entry.get("successor_dist"), entry["dist"]
    if dist is None or dist == own or dist in installed_providers(ctx.target):
        return None, None
    files = sorted(ctx.environment_files("requirements"))
    if any(dist in _names(ctx, path) for path in files):
        return None, None
    if files:
        return (f"the successor is in `{dist}`, which {', '.join(files)} does not require and MWAA "
                f"{ctx.target} does not install: add it there, then fix"), None
    return None, (f"the successor is in `{dist}`, which MWAA {ctx.target} does not install: add it to the "
                  "environment's requirements.txt")


def _names(ctx: Any, path: str) -> set[str]:
    """The distributions a requirements file names (canonical names; options and URLs skipped)."""
    try:
        text = (ctx.settings.root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    found: set[str] = set()
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            found.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return found


def dict_key_elsewhere(module: cst.Module, name: str, skip: str) -> bool:
    """Whether a dict in the file has the key `name` (`{"gcp_conn_id": ...}`, `dict(gcp_conn_id=...)`),
    leaving out the dicts passed as `skip=` (`dataflow_config=`, which DS515's own fixes write)."""
    finder = _DictKeys(name, skip)
    module.visit(finder)
    return finder.found


class _DictKeys(cst.CSTVisitor):
    def __init__(self, name: str, skip: str) -> None:
        self.name, self.skip, self.found = name, skip, False

    def visit_Arg(self, node: cst.Arg) -> Optional[bool]:
        return False if node.keyword is not None and node.keyword.value == self.skip else None

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        if isinstance(node.func, cst.Name) and node.func.value == "dict":
            self.found |= any(a.keyword is not None and a.keyword.value == self.name for a in node.args)
        return None

    def visit_DictElement(self, node: cst.DictElement) -> Optional[bool]:
        if isinstance(node.key, cst.SimpleString) and node.key.evaluated_value == self.name:
            self.found = True
        return None
