#!/usr/bin/env python3
"""Generate rules/dag_api/data/operator_replacements.json: the operators and sensors providers replaced
by another class with other arguments, and how each argument carries over (DS515).

For every class of CLASSES, read from each release of its provider found in `--wheels` (the pinned
ones and the history scripts/provider_history.py chose): whether the release has it, and whether it
deprecates it (a `@deprecated(...)` decorator, or a `warnings.warn` at the top of its `__init__`),
with the message. From the last release that has it, its own `__init__`: the keyword arguments it
takes with their defaults, the ones it hands its base class under another name
(`super().__init__(conn_id=postgres_conn_id)`) and the ones it folds into a dict argument
(`kwargs["hook_params"] = {"schema": database, **hook_params}`). Where a successor's arguments are
not the old class's own (BigQuery's job configuration, S3PrefixSensor's key), the facts come from
scripts/operator_replacement_overrides.json, each with the provider file and version it was read
from. The 1.10 paths that lead to each class come from rules/imports/data/import_moves.json.

    python scripts/gen_operator_replacements.py --wheels /tmp/wheels
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any, Optional

from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import CONSTRAINTS, ROOT, generator_args, load_table, mwaa_versions  # noqa: E402
from wheelindex import read_constraints, wheel_file  # noqa: E402

OVERRIDES = ROOT / "scripts" / "operator_replacement_overrides.json"
HISTORY = ROOT / "scripts" / "sources" / "provider_history.json"

# The classes whose providers replaced them by another class: old provider path -> its distribution.
CLASSES = {
    "airflow.providers.postgres.operators.postgres.PostgresOperator": "apache-airflow-providers-postgres",
    "airflow.providers.mysql.operators.mysql.MySqlOperator": "apache-airflow-providers-mysql",
    "airflow.providers.microsoft.mssql.operators.mssql.MsSqlOperator": "apache-airflow-providers-microsoft-mssql",
    "airflow.providers.oracle.operators.oracle.OracleOperator": "apache-airflow-providers-oracle",
    "airflow.providers.sqlite.operators.sqlite.SqliteOperator": "apache-airflow-providers-sqlite",
    "airflow.providers.snowflake.operators.snowflake.SnowflakeOperator": "apache-airflow-providers-snowflake",
    "airflow.providers.trino.operators.trino.TrinoOperator": "apache-airflow-providers-trino",
    "airflow.providers.vertica.operators.vertica.VerticaOperator": "apache-airflow-providers-vertica",
    "airflow.providers.jdbc.operators.jdbc.JdbcOperator": "apache-airflow-providers-jdbc",
    "airflow.providers.apache.druid.operators.druid_check.DruidCheckOperator": "apache-airflow-providers-apache-druid",
    "airflow.providers.amazon.aws.operators.redshift_sql.RedshiftSQLOperator": "apache-airflow-providers-amazon",
    "airflow.providers.google.cloud.operators.bigquery.BigQueryExecuteQueryOperator": "apache-airflow-providers-google",
    "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateEmptyTableOperator": "apache-airflow-providers-google",
    "airflow.providers.google.cloud.operators.bigquery.BigQueryCreateExternalTableOperator": "apache-airflow-providers-google",
    "airflow.providers.google.cloud.operators.dataflow.DataflowCreatePythonJobOperator": "apache-airflow-providers-google",
    "airflow.providers.google.cloud.operators.dataproc.DataprocSubmitPySparkJobOperator": "apache-airflow-providers-google",
    "airflow.providers.amazon.aws.sensors.s3_prefix.S3PrefixSensor": "apache-airflow-providers-amazon",
    "airflow.providers.amazon.aws.sensors.s3.S3PrefixSensor": "apache-airflow-providers-amazon",
}
# A successor the class names as its own base class (read from the wheel), by its simple name.
COMMON_SQL = "airflow.providers.common.sql.operators.sql."


def releases(folder: Path, dist: str) -> list[tuple[Version, Path]]:
    """The releases read for a distribution: every version a target pins and the history
    scripts/provider_history.py chose (scripts/sources/provider_history.json), each wheel fetched
    into `folder` when missing, oldest first."""
    versions = {pins[dist] for pins in target_pins().values() if dist in pins}
    versions |= set(json.loads(HISTORY.read_text(encoding="utf-8"))["versions"].get(dist, []))
    return sorted((Version(v), wheel_file(folder, dist, v)) for v in versions)


def target_pins() -> dict[str, dict[str, str]]:
    """Each target's constraint pins."""
    return {v["airflow"]: read_constraints(CONSTRAINTS / f"constraints-{v['airflow']}-{v['python']}.txt")
            for v in mwaa_versions() if not v["airflow"].startswith("1.")}


def class_node(wheel: Path, path: str) -> Optional[ast.ClassDef]:
    module, _, name = path.rpartition(".")
    try:
        text = zipfile.ZipFile(wheel).read(module.replace(".", "/") + ".py").decode("utf-8")
    except KeyError:
        return None
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def _init(node: ast.ClassDef) -> Optional[ast.FunctionDef]:
    return next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)


def _text(node: ast.expr) -> Optional[str]:
    """A string the code spells literally (implicit concatenation and f-string text parts included)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def deprecation(node: ast.ClassDef) -> Optional[str]:
    """What the class says when it is used, if it deprecates itself: a `@deprecated(reason=...)`
    decorator, or a `warnings.warn(...)` among the first statements of its `__init__` (not one
    inside an `if`, which is about an argument)."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", getattr(decorator.func, "attr", "")) == "deprecated":
            for keyword in decorator.keywords:
                if keyword.arg == "reason" and _text(keyword.value) is not None:
                    return " ".join((_text(keyword.value) or "").split())
            if decorator.args and _text(decorator.args[0]) is not None:
                return " ".join((_text(decorator.args[0]) or "").split())
            instead = next((_text(k.value) for k in decorator.keywords if k.arg == "use_instead"), None)
            if instead:  # (google 14+: `@deprecated(planned_removal_date=..., use_instead=...)`)
                when = next((_text(k.value) for k in decorator.keywords if k.arg == "planned_removal_date"), None)
                return f"use `{instead}` instead" + (f" (planned removal: {when})" if when else "")
    init = _init(node)
    for stmt in init.body if init is not None else ():
        if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and getattr(stmt.value.func, "attr", "") == "warn" and stmt.value.args
                and _text(stmt.value.args[0]) is not None):
            return " ".join((_text(stmt.value.args[0]) or "").split())
    return None


def own_arguments(init: ast.FunctionDef) -> dict[str, Optional[str]]:
    """The keyword arguments `__init__` names itself -> its default's source (None: required)."""
    args = init.args
    found: dict[str, Optional[str]] = {}
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults):
        if arg.arg != "self":
            found[arg.arg] = ast.unparse(default) if default is not None else None
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        found[arg.arg] = ast.unparse(default) if default is not None else None
    return found


def forwarded(init: ast.FunctionDef, own: dict[str, Optional[str]]) -> dict[str, dict[str, str]]:
    """How the old class hands its own arguments on: renamed in `super().__init__(new=old)`, or
    folded into a dict argument (`kwargs["hook_params"] = {"key": old, **hook_params}`)."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(init):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "super"):
            for keyword in node.keywords:
                if keyword.arg and isinstance(keyword.value, ast.Name) and keyword.value.id in own:
                    found[keyword.value.id] = {"rename": keyword.arg}
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)
                and getattr(node.targets[0].value, "id", "") == "kwargs" and isinstance(node.value, ast.Dict)):
            into = node.targets[0].slice
            if not (isinstance(into, ast.Constant) and isinstance(into.value, str)):
                continue
            for key, value in zip(node.value.keys, node.value.values):
                if isinstance(key, ast.Constant) and isinstance(value, ast.Name) and value.id in own:
                    found[value.id] = {"fold": into.value, "key": key.value}
    return found


def base_successor(node: ast.ClassDef) -> Optional[str]:
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id.startswith("SQL"):
            return COMMON_SQL + base.id
    return None


def history(folder: Path, path: str, dist: str) -> dict[str, Any]:
    """Which releases have the class and which deprecate it; the last one's own arguments."""
    seen: list[tuple[str, str]] = []
    keys: dict[str, dict[str, str]] = {}
    deprecated_from = gone_from = last = None
    message = None
    for version, wheel in releases(folder, dist):
        node = class_node(wheel, path)
        if node is None:
            if last is not None and gone_from is None:
                gone_from = str(version)
            continue
        said = deprecation(node)
        if said and deprecated_from is None:
            deprecated_from, message = str(version), said
        _fold_keys(keys, str(version), node)
        last = (version, wheel, node)
        seen.append((str(version), hashlib.sha256(wheel.read_bytes()).hexdigest()))
    if last is None:
        raise SystemExit(f"{path}: no release in {folder} has it")
    version, wheel, node = last
    init = _init(node)
    own = own_arguments(init) if init is not None else {}
    return {
        "dist": dist, "deprecated_from": deprecated_from, "gone_from": gone_from, "message": message,
        "read_from": f"{wheel.name} ({path.rpartition('.')[0].replace('.', '/')}.py)",
        "successor": base_successor(node), "own": own,
        "arguments": forwarded(init, own) if init is not None else {},
        "wheels": dict(seen),
        "fold_keys": keys if len({json.dumps(v, sort_keys=True) for v in keys.values()}) > 1 else {},
    }


def _fold_keys(keys: dict[str, dict[str, str]], version: str, node: ast.ClassDef) -> None:
    """The dict key each argument is folded under, from the first release that folds it so, where
    releases differ (PostgresOperator's `database`: `hook_params["schema"]` in postgres 5.4.0-5.10.0,
    `["database"]` from 5.11.1, as each release's hook reads it)."""
    init = _init(node)
    folds = {k: m["key"] for k, m in forwarded(init, own_arguments(init)).items() if "fold" in m} if init else {}
    if folds and (not keys or list(keys.values())[-1] != folds):
        keys[version] = folds


def entry(folder: Path, path: str, dist: str, override: dict[str, Any]) -> dict[str, Any]:
    """One class: the wheels' facts, the curated ones laid over them (each with its provenance)."""
    found = history(folder, path, dist)
    arguments: dict[str, Any] = {}
    for name, default in found.pop("own").items():
        mapped = dict(found["arguments"].get(name, {}))
        if default is not None and default != "None":
            mapped["old_default"] = default
        arguments[name] = mapped
    arguments.update(override.get("arguments", {}))
    found["arguments"] = {k: v for k, v in sorted(arguments.items()) if v}
    found["inherits"] = "successor" not in override and found["successor"] is not None  # its own base class
    found["successor"] = override.get("successor", found["successor"])
    for key in ("successor_dist", "provenance", "unmapped", "note", "successor_defaults", "config_argument", "config_seed",
                "config_required", "successor_adds", "says"):
        if key in override:
            found[key] = override[key]
    if found["successor"] is None:
        raise SystemExit(f"{path}: no successor read from the wheel and none curated")
    return found


def old_paths(classes: dict[str, Any]) -> dict[str, str]:
    """Every 1.10 path that some target's move table leads to one of the classes."""
    found: dict[str, str] = {}
    for old, per_target in load_table("import_moves", "moves")["moves"].items():
        for move in per_target.values():
            to = move.get("to") or move.get("last_to")
            if to in classes and old != to:
                found[old] = to
    return dict(sorted(found.items()))


def pins(classes: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each target's pinned version of every distribution the classes belong to (its constraints)."""
    dists = {c["dist"] for c in classes.values()}
    return {target: {d: pinned[d] for d in sorted(dists) if d in pinned} for target, pinned in target_pins().items()}


def main() -> None:
    args = generator_args(__doc__ or "", "operator_replacements")
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    classes = {path: entry(args.wheels, path, dist, overrides.get(path, {})) for path, dist in CLASSES.items()}
    aliases = old_paths(classes)
    aliases.update(overrides.get("_aliases", {}))
    table = {
        "_provenance": {
            "generator": "scripts/gen_operator_replacements.py",
            "curated": "scripts/operator_replacement_overrides.json",
            "wheels": {path: c.pop("wheels") for path, c in classes.items()},
        },
        "classes": classes,
        "aliases": dict(sorted(aliases.items())),
        "pins": pins(classes),
    }
    args.out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(classes)} classes, {len(aliases)} 1.10 paths")


if __name__ == "__main__":
    main()
