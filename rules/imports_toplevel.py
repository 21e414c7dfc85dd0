"""DS105: names Airflow 1.10's top-level `airflow` package exported and 2.x does not."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rules.base import ERROR, SOMETIMES, Example, Rule

DATA = Path(__file__).resolve().parent / "data" / "airflow_toplevel.json"


@lru_cache(maxsize=4)
def _dropped(target: str) -> frozenset[str]:
    return frozenset(name for name, entry in table()["targets"][target].items() if entry["status"] != "ok")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


class TopLevelImport(Rule):
    code = "DS105"
    name = "airflow-top-level-import"
    message = "`from airflow import {name}` {problem} on Airflow {target}{hint}"
    kinds = frozenset({"python"})
    severity = ERROR
    fix = SOMETIMES
    tokens = ("airflow import",)
    doc = """
## What it does
Reports `from airflow import X` where `X` is a name Airflow 1.10's `airflow` package exported
(`conf`, `LoggingMixin`, `AirflowMacroPlugin`, `login`, ...) that the target version's `airflow`
package no longer provides (error), or provides only with a deprecation warning (warning, such as
`AirflowException` from 2.8).

## Why it matters on Airflow 2
Airflow 2 slimmed down `airflow/__init__.py`: `from airflow import conf` raises ImportError
while the DAG file is parsed, so the whole file shows as a "Broken DAG". The table behind this
rule is generated from the official 1.10.15 and 2.x wheels (`rules/data/airflow_toplevel.json`).

## Example
```python
from airflow import DAG, conf
```
Use instead:
```python
from airflow import DAG
from airflow.configuration import conf
```

## Fix
Safe, where the name still exists elsewhere on the target: the import is rewritten to the
module that defines it, aliases kept, other names of the statement left where they are. Names
that were removed outright (`AirflowMacroPlugin`, `AirflowViewPlugin`, `load_login`, `log`,
`login` on 2.9+) are reported without a fix: plugins declare macros and views on an
`AirflowPlugin` subclass instead. An import inside `try`/`except ImportError` that has a
working alternative beside it is left alone.
"""
    valid = (
        Example("from airflow import DAG\nfrom airflow.configuration import conf\n", target="2.5.1"),
        Example("try:\n    from airflow.configuration import conf\nexcept ImportError:\n    from airflow import conf\n"),
        Example("from airflow import AirflowException\n", target="2.5.1"),
    )
    invalid = (
        Example("from airflow import conf\n", "from airflow.configuration import conf\n", target="2.5.1"),
        Example(
            "from airflow import (\n    DAG,  # the DAG class\n    conf as airflow_conf,\n    LoggingMixin,\n)\n",
            "from airflow import (\n    DAG,  # the DAG class\n)\n"
            "from airflow.configuration import conf as airflow_conf\n"
            "from airflow.utils.log.logging_mixin import LoggingMixin\n",
            target="2.5.1",
            count=2,
        ),
        Example("def f():\n    from airflow import AirflowMacroPlugin\n", None, count=1),
        Example(
            "from airflow import AirflowException\n",
            "from airflow.exceptions import AirflowException\n",
            target="2.10.3",
        ),
    )

    def wants(self, text: str, target: str) -> bool:
        # `from airflow import DAG` opens most DAG files: parse only when a dropped name follows.
        if "airflow import" not in text:
            return False
        from rules.import_tables import import_statements

        dropped = _dropped(target)
        for module, names in import_statements(text):
            if module != "airflow":
                continue
            if names is None or any(name in dropped for name in names):
                return True  # a dropped name, or a list only the parser can read
        return False

    def check(self, ctx: Any) -> None:
        from fixers.imports import move_names
        from fixers.lines import indent_at

        data = table()
        statuses = data["targets"][ctx.target]
        by_statement: dict[int, list[tuple[Any, dict]]] = {}
        for imported in ctx.imports:
            if imported.level or imported.module != "airflow" or imported.name is None:
                continue
            status = statuses.get(imported.name)
            if status is None or status["status"] == "ok":
                continue
            if any(self._works(alt, statuses) for alt in ctx.imports.alternatives(imported)):
                continue
            by_statement.setdefault(id(imported.statement), []).append((imported, status))

        for found in by_statement.values():
            statement = found[0][0].statement
            names = list(statement.names)
            moves = {
                names.index(imp.alias): tuple(status["destination"].rsplit(".", 1))
                for imp, status in found
                if "destination" in status
            }
            fix = None
            if moves:
                start, end = ctx.span(statement)
                edit = move_names(ctx.module, statement, (start, end), indent_at(ctx.index, start), moves)
                from linter.diagnostics import Fix

                fix = Fix((edit,), "safe", "import from the module that defines it")
            for imp, status in found:
                deprecated = status["status"] == "deprecated"
                destination = status.get("destination")
                if destination:
                    hint = f"; import `{destination.rsplit('.', 1)[1]}` from `{destination.rsplit('.', 1)[0]}`"
                else:
                    hint = "; it was removed with no replacement"
                ctx.report_node(
                    imp.alias.name,
                    name=imp.name,
                    problem="is deprecated" if deprecated else "fails",
                    target=ctx.target,
                    hint=hint,
                    severity="warning" if deprecated else "error",
                    fix=fix if "destination" in status else None,
                )

    @staticmethod
    def _works(imported: Any, statuses: dict) -> bool:
        if imported.module != "airflow":
            return True
        status = statuses.get(imported.name or "")
        return status is None or status["status"] == "ok"
