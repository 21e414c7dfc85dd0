"""Run inside a virtualenv holding one Airflow target (scripts/verify_against_airflow.py starts it):
reads dagshift's claims as JSON on stdin, checks each against the installed Airflow and providers,
prints the counts and the disagreements as JSON. Imports Airflow's code only; needs nothing else.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import warnings

DEPRECATION = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def missing_library(error: str) -> bool:
    """A failure that says the environment lacks a package (a provider that would not install
    here, or a provider's optional library such as MySQLdb or apache_beam), not that dagshift erred."""
    if "You do not have `" in error or "AirflowOptionalProviderFeatureException" in error:
        return True  # a provider's own message for a missing optional library or provider
    if "while trying to import" in error:
        # 2.7+: a deprecated path whose destination did not import; the destination's own check
        # (fix destination imports) says why, so this one is not counted twice.
        return True
    return "No module named '" in error and (
        "No module named 'airflow.providers." in error or "No module named 'airflow" not in error
    )


def import_path(path: str, afresh: bool = False) -> tuple[bool, bool, str]:
    """(imports, warned, error) for `from module import name`. `afresh`: a shim module file (not a
    package, not one of 2.4's virtual modules, which warn on every attribute) is executed again,
    since it warns when it runs."""
    module, _, name = path.rpartition(".")
    loaded_before = sys.modules.get(module)
    if afresh and getattr(loaded_before, "__file__", None) and not hasattr(loaded_before, "__path__"):
        del sys.modules[module]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            loaded = importlib.import_module(module)
            try:
                getattr(loaded, name)
            except AttributeError:
                importlib.import_module(path)  # `from package import submodule`
        except Exception as exc:  # ImportError, AttributeError, and whatever a module raises
            return False, False, f"{type(exc).__name__}: {exc}"[:200]
    # Only a warning about this path counts: importing Airflow also warns about its configuration
    # (metrics), SQLAlchemy 2.0 or urllib3, whatever is imported.
    file_part = module.replace(".", "/")
    warned = any(
        issubclass(w.category, DEPRECATION)
        and (module in str(w.message) or f"`{name}`" in str(w.message) or ("module is deprecated" in str(w.message) and "airflow" in str(w.message))
             or f".{name}' is deprecated" in str(w.message)  # 3.x airflow.datasets: "Import 'airflow.dataset.Dataset' is deprecated"
             or file_part in w.filename.replace("\\", "/"))
        for w in caught
    )
    return True, warned, ""


def resolve(path: str):
    module, _, name = path.rpartition(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(importlib.import_module(module), name)


def init_parameters(cls, skipped: frozenset = frozenset()) -> set[str]:
    """The parameters of every `__init__` in the class's MRO (the classes in `skipped` left out)."""
    names: set[str] = set()
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get("__init__")
        if init is None or klass in skipped:
            continue
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        names |= {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return names - {"self"}


def operator_parameters(cls) -> set[str]:
    """The parameters of the operator's __init__ chain, down to BaseOperator: the mixins BaseOperator
    itself derives from (LoggingMixin's `context`, ...) are not called with the operator's arguments."""
    try:
        from airflow.sdk.bases.operator import BaseOperator
    except ImportError:
        from airflow.models.baseoperator import BaseOperator
    return init_parameters(cls, frozenset(inspect.getmro(BaseOperator)[1:]))


def probe_operator(cls) -> str:
    """"rejected" when an unknown argument raises Invalid arguments, "accepted" when the class is
    built anyway, "undecidable" when it fails for another reason first."""
    from airflow.exceptions import AirflowException

    required = {}
    try:
        parameters = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return "undecidable"
    for p in parameters:
        if p.name != "self" and p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            required[p.name] = None
    required["task_id"] = "dagshift_probe"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cls(**required, dagshift_probe_argument=1)
        except (AirflowException, TypeError) as exc:  # (Airflow 3's task SDK raises TypeError)
            return "rejected" if "Invalid arguments were passed" in str(exc) else "undecidable"
        except Exception:
            return "undecidable"
    return "accepted"


def check_real_import(item: dict, count, absent: list) -> None:
    """One import of a real repository against dagshift's verdict on it."""
    module, name, said = item["module"], item["name"], item["verdict"]
    path = f"{module}.{name}" if name else module
    if name is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                importlib.import_module(module)
                ok, error = True, ""
            except Exception as exc:
                ok, error = False, f"{type(exc).__name__}: {exc}"[:200]
        warned = ok and any(issubclass(w.category, DEPRECATION) and module.replace(".", "/") in w.filename
                            for w in caught)
    else:
        # Only a shim is run again to see its warning: a models module run twice redefines its tables.
        ok, warned, error = import_path(path, afresh=said == "warns")
    seen = "fails" if not ok else "warns" if warned else "imports"
    # A third-party library this venv lacks decides nothing (an airflow module that is not there does).
    # 2.7+ "Could not import X while trying to import Y": a shim whose destination needs a library
    # this venv lacks; the destination's own check says why.
    undecidable = not ok and ("You do not have `" in error or "while trying to import" in error
                              or any(a in error for a in absent) or (
        "No module named '" in error and "No module named 'airflow" not in error))
    claim = f"real-repository import: dagshift says it {said}"
    count(claim, seen == said, f"`{path}` ({item['file']}) {seen}" + (f": {error}" if error else ""),
          undecidable=undecidable)


def main() -> None:
    data = json.load(sys.stdin)
    counts: dict[str, dict[str, int]] = {}
    disagreements: list[str] = []

    def count(claim: str, agrees: bool, detail: str, undecidable: bool = False) -> None:
        row = counts.setdefault(claim, {"checked": 0, "disagreeing": 0, "undecidable": 0})
        if undecidable:
            row["undecidable"] += 1
            return
        row["checked"] += 1
        if not agrees:
            row["disagreeing"] += 1
            disagreements.append(f"{claim}: {detail}")

    for path in data["destinations"]:
        ok, warned, error = import_path(path)
        count("fix destination imports without a warning", ok and not warned,
              f"`{path}` " + (error or "warns"), undecidable=missing_library(error))
    for path in data["removed"]:
        ok, _, _ = import_path(path, afresh=True)
        count("'does not exist' fails to import", not ok, f"`{path}` imports")  # any failure agrees
    for path in data["deprecated"]:
        ok, warned, error = import_path(path, afresh=True)
        count("'deprecated' imports with a warning", ok and warned, f"`{path}` " + (error or "imports without a warning"),
              undecidable=missing_library(error))
    open_classes = set(data["consumes_kwargs"])
    for path in data["operators"]:
        try:
            cls = resolve(path)
        except Exception as exc:
            count("operator rejects an unknown argument", False, f"`{path}` does not import: {exc}"[:200],
                  undecidable=missing_library(str(exc)))
            continue
        # The other direction: an argument the class's __init__ chain declares but the table lacks
        # would be called invalid (a false error).
        declared = operator_parameters(cls) - set(data.get("accepted", {}).get(path, ()))
        count("every declared argument is in the table", not declared,
              f"`{path}` declares {sorted(declared)[:5]}, which the table lacks")
        outcome = probe_operator(cls)
        if path in open_classes:
            count("**kwargs-reading operator (warning only)", True, "", undecidable=outcome == "undecidable")
            continue
        count("operator rejects an unknown argument", outcome == "rejected", f"`{path}` {outcome} it",
              undecidable=outcome == "undecidable")
    for path, renames in data["renames"].items():
        try:
            taken = init_parameters(resolve(path))
        except Exception:
            continue
        for old, new in renames.items():
            count("renamed argument's new spelling is taken", new in taken, f"`{path}` has no `{new}` (for `{old}`)")
    absent = [f"No module named 'airflow.providers.{m}" for m in data.get("not_installed", [])]
    for item in data.get("real_imports", []):
        check_real_import(item, count, absent)
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump({"counts": counts, "disagreements": disagreements}, handle)


if __name__ == "__main__":
    main()
