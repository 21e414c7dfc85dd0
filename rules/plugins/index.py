"""The plugin index: every AirflowPlugin in the repository and where its listed classes live.

Built once per run in the project phase, from the plugins folders (`plugins-dirs`, under the
settings root, whatever paths were named on the command line) and from any other checked file
that subclasses AirflowPlugin. Files are parsed with `ast`, never imported. Module names are the
ones the classes have with the plugins folder on sys.path, as MWAA puts it there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

# The modules Airflow 1.10 made of each plugin's lists: `airflow.operators.<plugin>` and the like.
NAMESPACES = {"airflow.operators": "operators", "airflow.sensors": "sensors", "airflow.hooks": "hooks",
              "airflow.macros": "macros"}
KINDS = ("operators", "sensors", "hooks", "executors", "macros")
UI_ATTRS = ("admin_views", "menu_links", "flask_blueprints", "appbuilder_views", "appbuilder_menu_items")


@dataclass
class Plugin:
    name: str
    cls: str
    module: str  # the module defining the AirflowPlugin subclass
    path: str  # relative to the settings root
    listed: dict[str, dict[str, Optional[str]]] = field(default_factory=dict)  # kind -> class -> module


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_root(path: Path) -> Path:
    """The folder that would be on sys.path for this file: above its outermost package."""
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _parse(path: Path) -> Optional[ast.Module]:
    from dagshift.linter.source import SourceError, read_source

    try:
        return ast.parse(read_source(path, True).text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the file's own checks report it


def _bindings(tree: ast.Module, module: str, is_package: bool) -> dict[str, Optional[tuple[str, str]]]:
    found: dict[str, Optional[tuple[str, str]]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            if stmt.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (stmt.level - 1)] if stmt.level > 1 else parts
                base = ".".join(parts + ([stmt.module] if stmt.module else []))
            for alias in stmt.names:
                found[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found[stmt.name] = None
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = None
    return found


class PluginIndex:
    def __init__(self) -> None:
        self.plugins: dict[str, Plugin] = {}
        self.roots: list[Path] = []
        self._trees: dict[Path, Optional[ast.Module]] = {}

    def to_facts(self) -> dict:
        return {
            "plugins": {
                name: {"cls": p.cls, "module": p.module, "path": p.path, "listed": p.listed}
                for name, p in self.plugins.items()
            },
            "searched": [str(r) for r in self.roots],
        }

    def tree(self, path: Path) -> Optional[ast.Module]:
        if path not in self._trees:
            self._trees[path] = _parse(path)
        return self._trees[path]

    def module_file(self, root: Path, module: str) -> Optional[Path]:
        base = root.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def defining_module(self, root: Path, module: str, name: str, depth: int = 0) -> Optional[str]:
        """Where `name`, as seen in `module`, is defined (following re-exports inside the plugins folder)."""
        path = self.module_file(root, module)
        if path is None:
            # Not a plugin-folder module: an installed package (a provider...) importable as it is.
            return module if depth > 0 and not module.startswith("airflow.operators.") else None
        tree = self.tree(path)
        if tree is None or depth > 6:
            return None
        bound = _bindings(tree, module, path.name == "__init__.py")
        if name not in bound:
            return None
        origin = bound[name]
        if origin is None:
            return module
        return self.defining_module(root, origin[0], origin[1], depth + 1)

    def add_file(self, path: Path, root: Path, settings_root: Path) -> None:
        tree = self.tree(path)
        if tree is None:
            return
        module = module_name(path, root)
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or not any(_is_plugin_base(b) for b in node.bases):
                continue
            attrs = _class_attrs(node)
            name = attrs.get("name")
            if not isinstance(name, str):
                continue
            try:
                rel = path.relative_to(settings_root).as_posix()
            except ValueError:
                rel = path.as_posix()
            plugin = Plugin(name=name, cls=node.name, module=module, path=rel)
            bound = _bindings(tree, module, path.name == "__init__.py")
            for kind in KINDS:
                values = attrs.get(kind)
                if not isinstance(values, list):
                    continue
                plugin.listed[kind] = {}
                for item in values:
                    if not isinstance(item, str):
                        continue
                    origin = bound.get(item.split(".")[0], "missing")
                    if origin is None:
                        where: Optional[str] = module
                    elif origin == "missing":
                        where = None
                    else:
                        where = self.defining_module(root, origin[0], origin[1], 1)
                    plugin.listed[kind][item.split(".")[-1]] = where
            self.plugins.setdefault(name, plugin)


def _is_plugin_base(base: ast.expr) -> bool:
    name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
    return name == "AirflowPlugin"


def _class_attrs(node: ast.ClassDef) -> dict[str, object]:
    """Literal class attributes: strings, and lists of dotted names."""
    attrs: dict[str, object] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            key = stmt.targets[0].id
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                attrs[key] = value.value
            elif isinstance(value, (ast.List, ast.Tuple)):
                attrs[key] = [_dotted(e) for e in value.elts]
    return attrs


def _dotted(node: ast.expr) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def build(project: Any) -> dict:
    """Project phase: index the plugins folders under the settings root and every checked plugin file."""
    settings = project.settings
    index = PluginIndex()
    seen: set[Path] = set()
    for folder in settings.plugins_dirs:
        root = (settings.root / folder).resolve()
        if not root.is_dir():
            continue
        index.roots.append(root)
        for path in sorted(root.rglob("*.py")):
            if any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(root).parts):
                continue
            seen.add(path.resolve())
            index.add_file(path, root, settings.root)
    for entry in project.files_of("python"):
        try:
            with open(entry.path, "rb") as handle:
                if b"AirflowPlugin" not in handle.read():
                    continue  # most files: no resolve(), no decode
        except OSError:
            continue
        real = entry.path.resolve()
        if real in seen:
            continue
        index.add_file(real, package_root(real), settings.root)
    return index.to_facts()
