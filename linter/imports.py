"""A cheap per-file import table: what each local name refers to.

Built by walking statement bodies only (never expressions), once per file, so rules can resolve
`m.C` or an aliased class without libcst's scope analysis, which costs several parses' worth of time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

import libcst as cst

ImportNode = Union[cst.Import, cst.ImportFrom]


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """'a.b.c' for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True)
class ImportedName:
    local: str  # the name bound in the file ('m' for `import a.b as m`, 'a' for `import a.b`)
    target: str  # what that name refers to, dotted ('a.b' for `import a.b as m`; 'a' for `import a.b`)
    module: str  # the module named by the statement ('a.b'); for relative imports without the dots
    name: Optional[str]  # the imported name of a from-import, None for `import x`
    level: int  # leading dots of a relative import
    alias: cst.ImportAlias = field(compare=False, repr=False)
    statement: ImportNode = field(compare=False, repr=False)
    # Enclosing compound statements, outermost first (FunctionDef, If, Try, ExceptHandler, ...).
    enclosing: tuple[cst.CSTNode, ...] = field(compare=False, repr=False, default=())

    @property
    def qualified(self) -> str:
        """The full dotted path this binding denotes: module.name for from-imports."""
        if self.name is None:
            return self.module
        return f"{self.module}.{self.name}" if self.module else self.name

    @property
    def function_local(self) -> bool:
        return any(isinstance(n, (cst.FunctionDef, cst.Lambda)) for n in self.enclosing)


class ImportTable:
    def __init__(self, module: cst.Module) -> None:
        self.imports: list[ImportedName] = []
        self.by_local: dict[str, list[ImportedName]] = {}
        self._walk(module.body, ())

    def _walk(self, body: object, enclosing: tuple[cst.CSTNode, ...]) -> None:
        for stmt in _statements(body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self._add(small, enclosing)
            else:
                for child_body, marker in _compound_bodies(stmt):
                    # Both the statement and the clause: an except-handler's imports still know their Try.
                    chain = (stmt,) if marker is stmt else (stmt, marker)
                    self._walk(child_body, enclosing + chain)

    def _add(self, node: ImportNode, enclosing: tuple[cst.CSTNode, ...]) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local, target = alias.asname.name.value, full
                else:
                    local = target = full.split(".")[0]
                self._bind(ImportedName(local, target, full, None, 0, alias, node, enclosing))
            return
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            target = f"{module}.{name}" if module else name
            self._bind(ImportedName(local, target, module or "", name, level, alias, node, enclosing))

    def _bind(self, imported: ImportedName) -> None:
        self.imports.append(imported)
        self.by_local.setdefault(imported.local, []).append(imported)

    def resolve(self, dotted: str) -> Optional[str]:
        """Full dotted path of a reference like 'm.C' or 'C' as the file's imports bind it."""
        head, _, rest = dotted.partition(".")
        bindings = self.by_local.get(head)
        if not bindings:
            return None
        binding = bindings[-1]
        if binding.name is None and binding.local == binding.target and rest:
            # `import a.b.c` binds 'a'; 'a.b.c.X' resolves through the dotted reference itself.
            return dotted
        base = binding.target if binding.level == 0 else "." * binding.level + binding.target
        return f"{base}.{rest}" if rest else base

    def __iter__(self) -> Iterator[ImportedName]:
        return iter(self.imports)

    def alternatives(self, imported: ImportedName) -> list[ImportedName]:
        """Other imports binding the same name in the same try/except (a version fallback)."""
        tries = [n for n in imported.enclosing if isinstance(n, (cst.Try, cst.TryStar))]
        if not tries:
            return []
        innermost = tries[-1]
        return [
            other
            for other in self.by_local.get(imported.local, [])
            if other is not imported and innermost in other.enclosing
        ]


def _statements(body: object) -> list[cst.CSTNode]:
    if isinstance(body, (cst.IndentedBlock, cst.Module)):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body)]
    if isinstance(body, (list, tuple)):
        return list(body)
    return []


def _compound_bodies(stmt: cst.CSTNode) -> Iterator[tuple[object, cst.CSTNode]]:
    if isinstance(stmt, cst.If):
        yield stmt.body, stmt
        if stmt.orelse is not None:
            yield from _compound_bodies(stmt.orelse) if isinstance(stmt.orelse, cst.If) else [(stmt.orelse.body, stmt)]
    elif isinstance(stmt, (cst.Try, cst.TryStar)):
        yield stmt.body, stmt
        for handler in stmt.handlers:
            yield handler.body, handler
        if stmt.orelse is not None:
            yield stmt.orelse.body, stmt
        if stmt.finalbody is not None:
            yield stmt.finalbody.body, stmt
    elif isinstance(stmt, (cst.For, cst.While)):
        yield stmt.body, stmt
        if stmt.orelse is not None:
            yield stmt.orelse.body, stmt
    elif isinstance(stmt, (cst.With, cst.FunctionDef, cst.ClassDef)):
        yield stmt.body, stmt
    elif isinstance(stmt, cst.Match):
        for case in stmt.cases:
            yield case.body, stmt
