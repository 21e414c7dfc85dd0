"""Where a module refers to a name: the occurrences a rename must touch, and whether it may."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from dagshift.linter.imports import dotted_name
from dagshift.linter.walk import walk


class NameUses:
    """One pass over a module recording name references, bindings and dotted attribute uses.

    No scope analysis (too slow for the hot path): a name bound more than once anywhere in the
    file counts as shadowed, which errs on the side of not renaming.
    """

    def __init__(self, module: cst.Module) -> None:
        self.names: list[cst.Name] = []
        self.excluded: set[int] = set()
        self.bindings: dict[str, int] = {}
        self.attributes: list[tuple[cst.Attribute, str]] = []
        walk(module, self)

    # bindings ------------------------------------------------------------------------------

    def _bind(self, node: Union[cst.BaseExpression, cst.BaseAssignTargetExpression, None]) -> None:
        if isinstance(node, cst.Name):
            self.bindings[node.value] = self.bindings.get(node.value, 0) + 1
            self.excluded.add(id(node))
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._bind(element.value)
        elif isinstance(node, cst.StarredElement):
            self._bind(node.value)

    def _bind_aliases(self, node: Union[cst.Import, cst.ImportFrom]) -> bool:
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            if alias.asname is not None:
                self._bind(alias.asname.name)
            else:
                head = (dotted_name(alias.name) or "").split(".")[0]
                self.bindings[head] = self.bindings.get(head, 0) + 1
        return False  # module paths inside imports are not uses

    def visit_Import(self, node: cst.Import) -> bool:
        return self._bind_aliases(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return self._bind_aliases(node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name)

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._bind(item.name)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._bind(item.name)

    # references ----------------------------------------------------------------------------

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.excluded.add(id(node.attr))
        dotted = dotted_name(node)
        if dotted is not None:
            self.attributes.append((node, dotted))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        # `if mod is not None:` (the optional-import idiom) does not depend on what the module is.
        if isinstance(node.left, cst.Name) and all(
            isinstance(c.operator, (cst.Is, cst.IsNot)) and isinstance(c.comparator, cst.Name)
            and c.comparator.value == "None"
            for c in node.comparisons
        ):
            self.excluded.add(id(node.left))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.excluded.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    # queries -------------------------------------------------------------------------------

    def rename_sites(self, name: str) -> Optional[list[cst.Name]]:
        """Every reference to `name`, or None when the file binds it more than once."""
        if self.bindings.get(name, 0) != 1:
            return None
        return [n for n in self.names if n.value == name and id(n) not in self.excluded]

    def attribute_uses(self, prefix: str) -> list[tuple[cst.Attribute, str]]:
        """`prefix.X` attribute nodes (exactly one level below prefix)."""
        depth = prefix.count(".") + 1
        return [(node, dotted) for node, dotted in self.attributes
                if dotted.startswith(prefix + ".") and dotted.count(".") == depth]

    def other_uses(self, prefix: str) -> bool:
        """Whether `prefix` is used other than as `prefix.X` (passed around, called, ...)."""
        head = prefix.split(".")[0]
        direct = [n for n in self.names if n.value == head and id(n) not in self.excluded]
        dotted = len([1 for _, d in self.attributes if d.startswith(prefix + ".") and d.count(".") == prefix.count(".") + 1])
        return len(direct) > dotted
