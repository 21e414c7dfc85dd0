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

from dagshift.linter.pyast import dotted
from dagshift.linter.syspath import Binding, module_bindings, module_name, package_root, plugin_folders

# The modules Airflow 1.10 made of each plugin's lists (`airflow.operators.<plugin>`): one table.
from dagshift.rules.imports.tables import PLUGIN_NAMESPACES as NAMESPACES

KINDS = ("operators", "sensors", "hooks", "executors", "macros")
UI_ATTRS = ("admin_views", "menu_links", "flask_blueprints", "appbuilder_views", "appbuilder_menu_items")


@dataclass
class Plugin:
    name: str
    cls: str
    module: str  # the module defining the AirflowPlugin subclass
    path: str  # relative to the settings root
    listed: dict[str, dict[str, Optional[str]]] = field(default_factory=dict)  # kind -> class -> module


def _parse(path: Path) -> Optional[ast.Module]:
    from dagshift.linter.source import SourceError, read_source

    try:
        return ast.parse(read_source(path, True).text)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the file's own checks report it


class PluginIndex:
    def __init__(self) -> None:
        self.plugins: dict[str, Plugin] = {}
        self.roots: list[Path] = []
        self._trees: dict[Path, Optional[ast.Module]] = {}

    def to_facts(self, settings_root: Path) -> dict:
        def shown(folder: Path) -> str:
            try:
                return folder.relative_to(settings_root.resolve()).as_posix() + "/"
            except ValueError:
                return folder.as_posix() + "/"

        return {
            "plugins": {
                name: {"cls": p.cls, "module": p.module, "path": p.path, "listed": p.listed}
                for name, p in self.plugins.items()
            },
            "searched": [shown(r) for r in self.roots],
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
        """Where `name`, as seen in `module`, is defined: re-exports, star imports and module
        attributes followed inside the plugins folder, as Python would with it on sys.path."""
        path = self.module_file(root, module)
        if path is None:
            # Not a plugin-folder module: an installed package (a provider...) importable as it is;
            # never a 1.10 plugin namespace (`from airflow import operators`), which is what moves.
            in_namespace = any(module == ns or module.startswith(ns + ".") for ns in NAMESPACES)
            return module if depth > 0 and not in_namespace else None
        tree = self.tree(path)
        if tree is None or depth > 8:
            return None
        bound, stars = module_bindings(tree, module, path.name == "__init__.py")
        if name in bound:
            return self._follow(root, module, bound[name], depth)
        if self.module_file(root, f"{module}.{name}" if module else name) is not None:
            return None  # a submodule, not a class
        for star in stars:
            found = self.defining_module(root, star, name, depth + 1)
            if found is not None:
                return found
        return None

    def _follow(self, root: Path, module: str, origin: Binding, depth: int) -> Optional[str]:
        if origin is None:
            return module
        source, imported = origin
        if not imported:
            return None  # the name is a module
        if self.module_file(root, f"{source}.{imported}" if source else imported) is not None:
            return None  # `from package import submodule`
        return self.defining_module(root, source, imported, depth + 1)

    def resolve_dotted(self, root: Path, module: str, bound: dict[str, Binding], path: str) -> Optional[str]:
        """Where a listed `Name` or `pkg.Name` (through `import pkg` / `from . import pkg`) is defined."""
        head, _, rest = path.partition(".")
        if head not in bound:
            return None
        origin = bound[head]
        if not rest:
            return self._follow(root, module, origin, 0)
        if origin is None:
            return None
        source, imported = origin
        target = f"{source}.{imported}" if imported else source
        attr_module, _, name = f"{target}.{rest}".rpartition(".")
        return self.defining_module(root, attr_module, name, 1)

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
            # The names the class body saw: a plugin class named like the operator it lists is
            # bound after its body ran.
            bound, _ = module_bindings(tree, module, path.name == "__init__.py", upto=node)
            for kind in KINDS:
                values = attrs.get(kind)
                if not isinstance(values, list):
                    continue
                plugin.listed[kind] = {}
                for item in values:
                    if isinstance(item, str):
                        plugin.listed[kind][item.split(".")[-1]] = self.resolve_dotted(root, module, bound, item)
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
                attrs[key] = [dotted(e) for e in value.elts]
    return attrs


def build(project: Any) -> dict:
    """Project phase: index every plugins folder of the repository and every checked plugin file."""
    settings = project.settings
    index = PluginIndex()
    seen: set[Path] = set()
    for root in plugin_folders(project):
        index.roots.append(root)
        for path in sorted(root.rglob("*.py")):
            if any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(root).parts):
                continue
            seen.add(path.resolve())
            index.add_file(path, root, settings.root)
    for entry in project.files_of("python"):
        if not project.has(entry.path, b"AirflowPlugin"):
            continue  # most files: no resolve(), no decode
        real = project.real_path(entry.path)
        if real in seen:
            continue
        index.add_file(real, package_root(real), settings.root)
    return index.to_facts(settings.root)
