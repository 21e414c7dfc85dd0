"""What kind of failure a DAG file's import error is (scripts/verify_repositories.py): "compat" (the
target refuses what the DAG does: a fix or a finding owes it), "environmental" (the verification
home lacks a Variable, a library, credentials...), or "unclear"."""

from __future__ import annotations

import re
from pathlib import Path


def exception_line(text: str) -> str:
    # (SQLAlchemy ends its errors with "[SQL: ...]", "[parameters: ...]" and "(Background on this
    # error at: ...)" lines of its own)
    lines = [line for line in text.strip().splitlines()
             if line.strip() and not line.startswith(("(Background on this", "[SQL:", "[parameters:"))]
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Timeout|Warning|Exit|Interrupt)\b", line.strip()) or ": " in line and not line.startswith(" "):
            return line.strip()
    return lines[-1].strip() if lines else ""


ENVIRONMENTAL = [
    (r"AirflowTaskTimeout|DagBag import timeout|Timeout", "the file took too long to import"),
    (r"OperationalError|no such table|sqlalchemy", "it reads the metadata database while parsing"),
    (r"Variable \S+ does not exist|VARIABLE_NOT_FOUND|Variable.get|variable", "an Airflow Variable the test home lacks"),
    (r"conn_id|[Cc]onnection \S* ?(isn't|is not) defined|CONNECTION_NOT_FOUND", "a Connection the test home lacks"),
    (r"FileNotFoundError|No such file or directory|IsADirectoryError|PermissionError", "a file the checkout lacks"),
    (r"NoCredentialsError|NoRegionError|DefaultCredentialsError|credentials|Unable to locate credentials|region",
     "cloud credentials or region"),
    (r"ConnectionError|Name or service not known|NewConnectionError|MaxRetryError|Temporary failure in name resolution|"
     r"Connection refused|getaddrinfo", "the network"),
    (r"KeyError: '[A-Z0-9_]+'|os\.environ|environ\[", "an environment variable"),
    (r"NameError: name '\w+' is not defined", "the file's own bug: a name it never defines or imports (fails on every Airflow)"),
]


def classify(text: str, root: Path) -> tuple[str, str]:
    """("compat" | "environmental" | "unclear", why) for one import error's text."""
    last = exception_line(text)
    missing = re.search(r"No module named '([^']+)'", last)
    if missing:
        module = missing.group(1)
        top = module.split(".")[0]
        if top == "airflow":
            return "compat", f"`{module}` does not exist on the target"
        if any(root.glob(f"**/{top}.py")) or any(p.is_dir() for p in root.glob(f"**/{top}")):
            return "environmental", f"`{module}` is the repository's own code, not on sys.path the way this layout expects"
        return "environmental", f"`{module}` is not installed in the target's venv"
    broken = re.search(r"partially initialized module '([^']+)'", last)
    if broken and not broken.group(1).startswith("airflow"):
        return "environmental", f"`{broken.group(1)}` fails to import in the target's venv (a library install problem)"
    if "AirflowDagDuplicatedIdException" in last:
        return "environmental", "two files of the repository define this DAG id (every Airflow version refuses it)"
    shim = re.search(r"Could not import `(airflow\.providers\.[\w.]+)` while trying to import", last)
    underlying = re.search(r"No module named '([^']+)'", text)
    if shim and underlying and underlying.group(1).startswith("airflow.providers."):
        return "environmental", f"`{underlying.group(1)}` is not installed in the target's venv"
    if shim and underlying and not underlying.group(1).startswith("airflow"):
        return "environmental", f"`{underlying.group(1)}`, which `{shim.group(1)}` needs, is not installed in the target's venv"
    cannot = re.search(r"cannot import name '([^']+)' from '([^']+)'", last)
    if cannot:
        if cannot.group(2).startswith("airflow"):
            return "compat", f"`{cannot.group(2)}.{cannot.group(1)}` does not exist on the target"
        return "environmental", f"`{cannot.group(2)}` is a third-party module of another version"
    if "Invalid arguments were passed" in text:
        return "compat", "Airflow rejects an argument"
    if re.search(r"unexpected keyword argument|got multiple values for|missing \d+ required|takes \d+ positional", text):
        frames = re.findall(r'File "([^"]+)"', text)
        if frames and "site-packages/" in frames[-1] and "site-packages/airflow/" not in frames[-1]:
            return "environmental", "a third-party library of another version rejects an argument"
        return "compat", "Airflow rejects an argument"
    if re.search(r"module 'airflow[\w.]*' has no attribute|'(DAG|BaseOperator|\w+Operator|\w+Sensor|"
                 r"DagRun|TaskInstance|XComArg|MappedOperator|Dataset|Asset)' object has no attribute", last):
        return "compat", "an attribute Airflow no longer has"
    if "'NoneType' object has no attribute" in last and re.search(r"os\.(environ\.get|getenv)\(", text):
        return "environmental", "an environment variable the file reads is not set"
    for pattern, why in ENVIRONMENTAL:
        if re.search(pattern, last):
            return "environmental", why
    frames = re.findall(r'File "([^"]+)"', text)
    if frames and re.search(r"site-packages/airflow/", frames[-1]) and re.search(r"(Airflow\w*Exception|TypeError|"
                                                                                    r"ValueError|AttributeError)", last):
        return "compat", "Airflow itself raises while building the DAG"
    return "unclear", last[:200]
