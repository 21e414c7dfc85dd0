"""The closed world of one wheel: every module of Airflow's core wheel or a pinned provider, and
the names each binds, as scripts/inventory.py recorded them (rules/imports/data/provider_index.json)."""

from __future__ import annotations

from typing import Any, Optional


class World:
    """The closed world of one wheel (core or a provider version): module -> the names it binds.

    Names are kept as the table's space-separated strings and split on first use: a run asks
    about a few dozen modules of the thousands a target has.
    """

    def __init__(self, table: dict[str, Any]) -> None:
        self._modules: dict[str, str] = table["modules"]
        self._imported: dict[str, str] = table.get("imported", {})
        self.open = frozenset(table["open"])
        self.warns = frozenset(table["warns"])
        self._shims: dict[str, dict[str, str]] = table.get("shims", {})
        # Modules that raise at import below an Airflow version (a provider feature for a newer Airflow).
        self.requires: dict[str, str] = table.get("requires", {})
        self._split: dict[str, frozenset[str]] = {}
        self._homes: Optional[dict[str, list[str]]] = None

    def __contains__(self, module: object) -> bool:
        return module in self._modules

    def items(self) -> Any:
        return ((m, self.get(m)) for m in self._modules)

    def get(self, module: str, default: Any = frozenset()) -> frozenset[str]:
        found = self._split.get(module)
        if found is None:
            text = self._modules.get(module)
            if text is None:
                return default
            found = self._split[module] = frozenset(text.split())
        return found

    def imported(self, module: str) -> frozenset[str]:
        return frozenset(self._imported.get(module, "").split())

    def shim_target(self, module: str, name: str) -> Optional[str]:
        """Where a deprecated shim module takes `name` from (None: not known)."""
        origins = self._shims.get(module, {})
        found = origins.get(name) or (f"{origins['*']}.{name}" if "*" in origins else None)
        if found is not None and found in self._modules and name in self.get(found):
            # A table that names the module, not the class (3.3's airflow.utils.context:
            # `"Context": "airflow.sdk.definitions.context"`): the class of that name there.
            found = f"{found}.{name}"
        return self.public(found) if found else None

    def public(self, dotted: str) -> str:
        """Airflow 3's task SDK keeps its classes in `airflow.sdk.definitions.*` and serves the
        public ones from `airflow.sdk` itself, the documented interface for DAG authors: a shim
        that points inside is written as `airflow.sdk.<Name>` where that exports the name."""
        module, _, name = dotted.rpartition(".")
        if module.startswith("airflow.sdk.") and "airflow.sdk" in self and name in self.get("airflow.sdk"):
            return f"airflow.sdk.{name}"
        return dotted

    def homes(self, name: str) -> list[str]:
        """The modules that define `name` themselves (imports, re-exports and shims left out)."""
        if self._homes is None:  # one pass over the world for every name, on the first question
            index: dict[str, list[str]] = {}
            for module, names in ((m, n) for m, n in self.items() if m not in self.warns):
                for defined in names - self.imported(module):
                    index.setdefault(defined, []).append(module)
            self._homes = {n: sorted(ms) for n, ms in index.items()}
        return list(self._homes.get(name, ()))

    def has(self, module: str, name: str) -> bool:
        """Whether `from module import name` works (module known to exist)."""
        return module in self.open or name in self.get(module) or f"{module}.{name}" in self._modules
