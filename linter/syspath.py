"""Where Python files live as Airflow imports them: the folders on sys.path (the DAGs folder,
the plugins folders MWAA adds, a package's parent), a file's module name under one of them, and
a relative import resolved to its absolute module. Rule-blind: the plugin and DAG API families
read the repository through it. Nothing here imports or runs the files.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Optional


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


def resolve_base(stmt: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a `from ... import` reads, relative levels resolved against `module`."""
    if not stmt.level:
        return stmt.module or ""
    parts = module.split(".") if module else []
    parts = parts if is_package else parts[:-1]
    parts = parts[: len(parts) - (stmt.level - 1)] if stmt.level > 1 else parts
    return ".".join(parts + ([stmt.module] if stmt.module else []))


def plugin_folders(project: Any) -> list[Path]:
    """Every plugins folder of the repository, as Airflow would put it on sys.path: the
    `plugins-dirs` under the project root, a `plugins` folder beside any folder holding the
    files of the run (so `airflow/plugins/` beside `airflow/dags/`, or a run started in `dags/`),
    and `[core] plugins_folder` of the airflow.cfg files of the run."""
    if project.plugin_folders is not None:
        return project.plugin_folders  # the plugin index and the repository operators both ask
    settings = project.settings
    root = settings.root.resolve()
    found: list[Path] = []

    def add(folder: Path) -> None:
        folder = folder.resolve()
        if folder.is_dir() and folder not in found:
            found.append(folder)

    for folder in settings.plugins_dirs:
        add(root / folder)
    ancestors: set[Path] = set()
    for entry in project.files:
        folder = project.real_path(entry.path).parent
        while folder not in ancestors and (folder == root or root in folder.parents):
            ancestors.add(folder)
            folder = folder.parent
    for folder in sorted(ancestors):
        if folder.name == "plugins" and (folder.parent / "dags").is_dir():
            add(folder)
        elif (folder / "plugins").is_dir() and folder.name != "plugins":
            add(folder / "plugins")
    for entry in project.files_of("airflow-cfg"):
        configured = _configured_plugins_folder(entry.path)
        if configured:
            # An absolute path is the deployment's (/usr/local/airflow/plugins): the repository
            # keeps that folder beside the airflow.cfg, under the same name.
            candidate = Path(configured)
            add(entry.path.parent / (candidate.name if candidate.is_absolute() else candidate))
    project.plugin_folders = found
    return found


def _configured_plugins_folder(path: Path) -> Optional[str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    value = parser.get("core", "plugins_folder", fallback="").strip()
    return value or None


# What a name is bound to in a module: (module, name) for `from module import name`, (module, "")
# for a module itself (`import operators`, `from . import operators`), None for a definition.
Binding = Optional[tuple[str, str]]


def module_bindings(
    tree: ast.Module, module: str, is_package: bool, upto: Optional[ast.stmt] = None
) -> tuple[dict[str, Binding], list[str]]:
    """The names the module binds at top level (before `upto`, as a class body there sees them),
    and the modules it star-imports."""
    found: dict[str, Binding] = {}
    stars: list[str] = []
    for stmt in tree.body:
        if stmt is upto:
            break
        if isinstance(stmt, ast.ImportFrom):
            base = resolve_base(stmt, module, is_package)
            for alias in stmt.names:
                if alias.name == "*":
                    stars.append(base)
                else:
                    found[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    found[alias.asname] = (alias.name, "")
                else:  # `import a.b` binds `a`
                    head = alias.name.split(".")[0]
                    found[head] = (head, "")
        elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found[stmt.name] = None
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = None
    return found, stars
