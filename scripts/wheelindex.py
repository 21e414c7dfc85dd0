"""Reading official wheels without importing them: module lookup, top-level bindings, shims.

Shared by the data generators in this folder. Only zipfile and ast: no wheel code is executed.
"""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Optional

from packaging.requirements import Requirement


def wheel_file(folder: Path, dist: str, version: str) -> Path:
    """The wheel of dist==version in folder, fetched with `pip download --no-deps` if missing."""
    stem = dist.replace("-", "_")
    found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{dist}=={version}", "-d", str(folder)],
            check=True,
        )
        found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    if not found:
        raise FileNotFoundError(f"{dist}=={version}")
    return found[0]


def metadata(wheel: Path) -> list[str]:
    """The lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return z.read(name).decode("utf-8").splitlines()


def airflow_wheel(folder: Path, version: str) -> "Wheel":
    """The code of apache-airflow==version: its own wheel on 1.10/2.x; on 3.x the apache-airflow-core
    and apache-airflow-task-sdk wheels its METADATA names (the lowest version it admits)."""
    meta = wheel_file(folder, "apache-airflow", version)
    if not version.startswith("3."):
        return Wheel(meta)
    required = [Requirement(line.split(":", 1)[1]) for line in metadata(meta) if line.startswith("Requires-Dist:")]
    parts = []
    for dist in ("apache-airflow-core", "apache-airflow-task-sdk"):
        spec = next(r.specifier for r in required if r.name == dist and r.marker is None)
        low = next((s.version for s in spec if s.operator in ("==", ">=")), None)
        if low is None:
            raise ValueError(f"apache-airflow=={version}: no lower bound in {dist}{spec}")
        parts.append(wheel_file(folder, dist, low))
    return Wheel(*parts)


class Wheel:
    """One wheel, or several read as one (Airflow 3's `airflow` package is split between the
    apache-airflow-core and apache-airflow-task-sdk wheels)."""

    def __init__(self, path: Path, *more: Path) -> None:
        self.path = path
        self.paths = (path, *more)
        self._zips = [zipfile.ZipFile(p) for p in self.paths]
        self._owner = {name: z for z in reversed(self._zips) for name in z.namelist()}
        self.files = set(self._owner)
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        self._trees: dict[str, Optional[ast.Module]] = {}

    @property
    def name(self) -> str:
        return " + ".join(p.name for p in self.paths)

    def provenance(self) -> dict:
        """The wheel file(s) and sha256 a table records for this wheel."""
        if len(self.paths) == 1:
            return {"wheel": self.path.name, "sha256": self.sha256}
        return {"wheels": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in self.paths}}

    def read(self, name: str) -> bytes:
        return self._owner[name].read(name)

    def module_file(self, dotted: str) -> Optional[str]:
        base = dotted.replace(".", "/")
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            if candidate in self.files:
                return candidate
        return None

    def has_module(self, dotted: str) -> bool:
        return self.module_file(dotted) is not None

    def tree(self, dotted: str) -> Optional[ast.Module]:
        if dotted not in self._trees:
            name = self.module_file(dotted)
            self._trees[dotted] = ast.parse(self.read(name)) if name else None
        return self._trees[dotted]

    def modules(self, prefix: str = "airflow/") -> list[str]:
        out = []
        for name in sorted(self.files):
            if name.startswith(prefix) and name.endswith(".py"):
                dotted = name[:-3].replace("/", ".")
                out.append(dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted)
        return out


def never_executed(node: ast.If) -> bool:
    test = node.test
    if isinstance(test, ast.Name) and test.id in ("STATICA_HACK", "TYPE_CHECKING"):
        return True
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def absolute(module: Optional[str], level: int, current: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    parts = current.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def bindings(tree: ast.Module, current: str = "", is_package: bool = False) -> dict[str, Optional[tuple[str, str]]]:
    """Top-level names -> (module, name) they are imported from, or None when defined here."""
    found: dict[str, Optional[tuple[str, str]]] = {}

    def walk(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                source = absolute(stmt.module, stmt.level, current, is_package)
                for alias in stmt.names:
                    if alias.name != "*":
                        found[alias.asname or alias.name] = (source, alias.name)
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        found[alias.asname] = (alias.name, "")
                    else:
                        found[alias.name.split(".")[0]] = (alias.name.split(".")[0], "")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[stmt.name] = None
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            found[node.id] = None
            elif isinstance(stmt, ast.If):
                if not never_executed(stmt):  # `if TYPE_CHECKING:` never runs; its `else:` always does
                    walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                walk(stmt.body)
                for handler in stmt.handlers:
                    walk(handler.body)

    walk(tree.body)
    return found


def classes_and_functions(tree: ast.Module) -> dict[str, ast.stmt]:
    return {
        stmt.name: stmt
        for stmt in tree.body
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.name.startswith("_")
    }


def warns_at_import(tree: ast.Module) -> bool:
    """A 2.0-2.3 shim module: calls warnings.warn(...) at module level."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "warn":
                return True
    return False


def _class_table(value: ast.Dict) -> dict[str, dict[str, str]]:
    # 3.x also keys the package's own names by `__name__` (read here as ""): names the package
    # itself serves with a warning; a "*" entry redirects every name of that module.
    table: dict[str, dict[str, str]] = {}
    for key, body in zip(value.keys, value.values):
        name = "" if isinstance(key, ast.Name) and key.id == "__name__" else (
            key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None)
        try:
            if name is not None:
                table[name] = ast.literal_eval(body)
        except ValueError:
            continue
    return table


def deprecated_classes(tree: ast.Module) -> dict[str, dict[str, str]]:
    """2.4+: the `__deprecated_classes = {"submodule": {"Old": "new.path.New"}}` table of a package,
    and (3.x) the tables passed to `add_deprecated_classes({...}, ...)` literally."""
    found: dict[str, dict[str, str]] = {}
    for stmt in tree.body:
        target = None
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target, value = stmt.target.id, stmt.value
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and stmt.value.args:
            call = stmt.value
            if getattr(call.func, "id", getattr(call.func, "attr", "")) == "add_deprecated_classes":
                target, value = "literal_deprecated_classes", call.args[0]
        if target and "deprecated_classes" in target and isinstance(value, ast.Dict):
            for key, classes in _class_table(value).items():
                found.setdefault(key, {}).update(classes)
    return found


@lru_cache(maxsize=None)
def read_constraints(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, _, version = line.partition("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def lazy_names(tree: ast.Module, package: str = "airflow") -> dict[str, tuple[str, str, bool]]:
    """Names served by the module's PEP 562 __getattr__: name -> (module, attribute, deprecated).
    A relative module in the table is relative to `package` (`airflow.sdk`: ".bases.operator")."""
    lazy: dict[str, tuple[str, str, bool]] = {}
    for stmt in tree.body:
        target = None
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target, value = stmt.target.id, stmt.value
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
        if target == "__lazy_imports" and value is not None:  # 2.3+: a literal table
            for name, spec in ast.literal_eval(value).items():
                if isinstance(spec, str):  # airflow.models: {"DAG": "airflow.models.dag"}
                    spec = (spec, name)
                module = package + spec[0] if spec[0].startswith(".") else spec[0]
                lazy[name] = (module, spec[1], bool(spec[2]) if len(spec) > 2 else False)
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":  # 2.0-2.2: if name == "X": import
            for node in ast.walk(stmt):
                if (
                    isinstance(node, ast.If)
                    and isinstance(node.test, ast.Compare)
                    and isinstance(node.test.comparators[0], ast.Constant)
                ):
                    name = node.test.comparators[0].value
                    for inner in node.body:
                        if isinstance(inner, ast.ImportFrom) and inner.module:
                            lazy.setdefault(name, (inner.module, inner.names[0].name, False))
    return lazy


def star_sources(tree: ast.Module, current: str = "", is_package: bool = False) -> list[str]:
    """Modules a module re-exports wholesale with `from X import *`."""
    return [
        absolute(stmt.module, stmt.level, current, is_package)
        for stmt in tree.body
        if isinstance(stmt, ast.ImportFrom) and any(alias.name == "*" for alias in stmt.names)
    ]


def public_assignments(tree: ast.Module) -> list[str]:
    """Public module-level constants (`PROJECT_ID = ...`), which DAGs import too."""
    names = []
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and not target.id.startswith("_") and target.id.isupper():
                names.append(target.id)
    return names


def _is_attrs_class(node: ast.ClassDef) -> bool:
    for deco in node.decorator_list:
        func = deco.func if isinstance(deco, ast.Call) else deco
        name = ast.unparse(func)
        if name.split(".")[0] in ("attrs", "attr") or name in ("define", "frozen", "mutable"):
            return True
    return False


def _attrs_fields(node: ast.ClassDef) -> list[str]:
    """The __init__ arguments attrs generates for the fields this class body declares (a field with
    `init=False` takes none; a private `_x` is passed as `x`; `alias=` overrides both)."""
    out = []
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        if "ClassVar" in ast.unparse(stmt.annotation):
            continue
        name = stmt.target.id.lstrip("_")
        value = stmt.value
        if isinstance(value, ast.Call) and ast.unparse(value.func).endswith(("field", "ib")):
            kw = {k.arg: k.value for k in value.keywords}
            if isinstance(kw.get("init"), ast.Constant) and kw["init"].value is False:
                continue
            if isinstance(kw.get("alias"), ast.Constant):
                name = kw["alias"].value
        out.append(name)
    return out


def class_init_args(wheel: "Wheel", module: str, name: str, depth: int = 0) -> Optional[list[str]]:
    """The keyword arguments `module.name(...)` takes, read from its `__init__` or, for an attrs
    class, from its fields and its bases' (Airflow 3's DAG); None when the class is not found."""
    tree = wheel.tree(module)
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None) if tree else None
    if node is None or depth > 8:
        return None
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            a = item.args
            return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"]
    if not _is_attrs_class(node):
        return None
    found: list[str] = []
    is_package = (wheel.module_file(module) or "").endswith("__init__.py")
    bound = bindings(tree, module, is_package)
    for base in node.bases:
        base_name = ast.unparse(base)
        origin = bound.get(base_name)
        inherited = class_init_args(wheel, origin[0], origin[1], depth + 1) if origin else class_init_args(wheel, module, base_name, depth + 1)
        found.extend(a for a in inherited or [] if a not in found)
    found.extend(a for a in _attrs_fields(node) if a not in found)
    return found


def import_map(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """common.compat's `_IMPORT_MAP = {"BaseOperator": ("airflow.sdk", "airflow.models.baseoperator")}`:
    the modules a lazy name is tried from, in order (the Airflow 3 home first)."""
    for stmt in tree.body:
        target = stmt.target if isinstance(stmt, ast.AnnAssign) else stmt.targets[0] if isinstance(stmt, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "_IMPORT_MAP" and isinstance(stmt.value, ast.Dict):  # type: ignore[union-attr]
            try:
                table = ast.literal_eval(stmt.value)  # type: ignore[union-attr]
            except ValueError:
                return {}
            return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in table.items()}
    return {}


def branch_imports(tree: ast.Module, name: str) -> list[str]:
    """The modules a name is imported from in the module's top-level `if` branches (common.compat's
    `if TYPE_CHECKING: ... elif AIRFLOW_V_3_2_PLUS: from airflow.sdk... import X`), in order."""
    found: list[str] = []
    for node in ast.walk(ast.Module(body=[n for n in tree.body if isinstance(n, ast.If)], type_ignores=[])):
        if isinstance(node, ast.ImportFrom) and node.module and any((a.asname or a.name) == name for a in node.names):
            found.append(node.module)
    return found
