"""`dagshift convert --to mwaa-serverless`: each Python DAG's verdict and, where it can move, its
dag-factory definition and code package (never importing or running the DAG).

A DAG's verdict comes from `check --target-version serverless` on its file: no error inside the
DAG (or outside every DAG of the file) moves as it is; a DAG none of whose errors is left once the
safe fixes are applied moves after `dagshift check --fix` (the definition is written from the fixed
text, in memory: the file is not touched);
any other error, or a DAG dagshift cannot write statically, does not move, with the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import libcst as cst

from dagshift.linter.diagnostics import ERROR, Diagnostic
from dagshift.linter.imports import ImportTable
from dagshift.rules.serverless.analysis import engine_facts
from dagshift.rules.serverless.emit import Unconvertible, callables, dag_definition, to_yaml
from dagshift.rules.serverless.model import Dag, read

AS_IS, AFTER_FIX, NOT = "as-is", "after --fix", "not"


@dataclass
class Verdict:
    path: str  # the file, as reports name it
    dag_id: str
    line: int
    status: str
    reasons: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # files written, relative to --out
    dropped: list[str] = field(default_factory=list)  # arguments left out: the service ignores them
    notes: list[str] = field(default_factory=list)  # what the user must still do
    file: Optional[Path] = None  # the DAG file on disk


def _errors(diagnostics: list[Diagnostic], dag: Dag, spans: list[tuple[int, int]], span: tuple[int, int]) -> list[Diagnostic]:
    """The file's errors that are this DAG's: inside its statement, or outside every DAG's."""
    def inside(d: Diagnostic, s: tuple[int, int]) -> bool:
        return s[0] <= d.start < s[1]
    return [d for d in diagnostics if d.severity == ERROR
            and (inside(d, span) or not any(inside(d, s) for s in spans))]


def _spans(module: cst.Module, dags: list[Dag]) -> list[tuple[int, int]]:
    from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    spans = wrapper.resolve(ByteSpanPositionProvider)
    code = module.code.encode("utf-8")
    out = []
    for dag in dags:
        found = spans[dag.node]
        start = len(code[: found.start].decode("utf-8"))
        out.append((start, start + len(code[found.start: found.start + found.length].decode("utf-8"))))
    return out


def _parse(text: str, stem: str) -> Optional[tuple[cst.Module, Any]]:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    return module, read(module, ImportTable(module), stem)


@dataclass
class Fixed:
    """The file after the safe fixes, and what is still reported there."""

    text: str
    diagnostics: list[Diagnostic]


def judge_file(path: str, text: str, fixed: Fixed, diagnostics: list[Diagnostic], facts: dict[str, Any],
               out: Path, module_name: str, file: Optional[Path] = None) -> list[Verdict]:
    parsed = _parse(text, Path(path).stem)
    if parsed is None or not parsed[1].dags:
        return []
    module, model = parsed
    spans = _spans(module, model.dags)
    verdicts = []
    for dag, span in zip(model.dags, spans):
        line = text.count("\n", 0, span[0]) + 1
        errors = _errors(diagnostics, dag, spans, span)
        verdict = Verdict(path, dag.dag_id or f"<computed id, line {line}>", line, AS_IS, file=file)
        verdict.reasons = _reasons(errors)
        if errors:
            verdict.status = AFTER_FIX if any(d.fix is not None and d.fix.is_safe for d in errors) else NOT
        if dag.dag_id is None:
            verdict.status = NOT
            verdict.reasons.append("convert: the DAG id is computed: dagshift writes literal values only")
        if verdict.status == AS_IS:
            _write(verdict, dag, model, text, facts, out, module_name)
        elif verdict.status == AFTER_FIX:
            _after_fix(verdict, fixed, facts, out, module_name)
        verdicts.append(verdict)
    return verdicts


def _reasons(errors: list[Diagnostic], prefix: str = "") -> list[str]:
    errors = sorted(errors, key=lambda d: (d.location.line, d.location.column, d.code))
    return [f"{prefix}{d.code} {d.location.line}:{d.location.column} {d.message}" for d in errors]


def _after_fix(verdict: Verdict, fixed: Fixed, facts: dict[str, Any], out: Path, module_name: str) -> None:
    """The same DAG read again from the fixed text: it moves when none of its errors is left there."""
    parsed = _parse(fixed.text, Path(verdict.path).stem)
    found = [d for d in parsed[1].dags if d.dag_id == verdict.dag_id] if parsed else []
    if parsed is None or len(found) != 1:
        verdict.status = NOT
        verdict.reasons.append("convert: the fixed file does not show this DAG once")
        return
    spans = _spans(parsed[0], parsed[1].dags)
    left = _errors(fixed.diagnostics, found[0], spans, spans[parsed[1].dags.index(found[0])])
    if left:
        verdict.status = NOT
        verdict.reasons += _reasons(left, "still after --fix: ")
        return
    _write(verdict, found[0], parsed[1], fixed.text, facts, out, module_name)


def _write(verdict: Verdict, dag: Dag, model: Any, source: str, facts: dict[str, Any], out: Path,
           module_name: str) -> None:
    try:
        definition, verdict.dropped = dag_definition(dag, model, facts, module_name)
    except Unconvertible as exc:
        verdict.status, verdict.reasons = NOT, verdict.reasons + [f"convert: {exc}"]
        return
    out.mkdir(parents=True, exist_ok=True)
    name = f"{verdict.dag_id}.yaml"
    (out / name).write_text(to_yaml(definition), encoding="utf-8")
    verdict.written.append(name)
    own, imported = callables(dag, model)
    if own:
        code = out / "code" / f"{module_name}.py"
        code.parent.mkdir(parents=True, exist_ok=True)
        code.write_text(source, encoding="utf-8")
        verdict.written.append(f"code/{module_name}.py")
    for module in imported:
        _copy_module(verdict, module, out)


def _copy_module(verdict: Verdict, module: str, out: Path) -> None:
    """The module an imported callable lives in, copied to the same module path in the Code package
    (found beside the DAG file, as the DAG folder on sys.path resolves it, or under the current folder)."""
    rel = Path(*module.split(".")).with_suffix(".py")
    here = (verdict.file or Path(verdict.path)).resolve().parent
    bases = [here, *here.parents]  # the DAG folder first, then the folders above it (an Astro `include/`)
    found = next((base / rel for base in bases if (base / rel).is_file()), None)
    if found is None:
        verdict.notes.append(f"code: {rel.as_posix()} (a python_callable's module) was not found: add it to the Code package")
        return
    base = Path(*found.parts[: len(found.parts) - len(rel.parts)])
    inits = [Path(*rel.parts[:n]) / "__init__.py" for n in range(1, len(rel.parts))]
    for part in [*(i for i in inits if (base / i).is_file()), rel]:  # the packages' __init__.py too
        target = out / "code" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((base / part).read_bytes())
        verdict.written.append(f"code/{part.as_posix()}")


def render(verdicts: list[Verdict], out_label: str) -> str:
    lines = []
    for v in verdicts:
        where = f"{v.path}:{v.line}"
        if v.status == NOT:
            lines.append(f"{where}: {v.dag_id}: cannot move to MWAA Serverless")
        else:
            lines.append(f"{where}: {v.dag_id}: moves {v.status} -> {', '.join(out_label + '/' + w for w in v.written)}")
        lines += [f"    {reason}" for reason in v.reasons]
        lines += [f"    left out (the service ignores it): {d}" for d in v.dropped]
        lines += [f"    {note}" for note in v.notes]
    counts = {s: sum(1 for v in verdicts if v.status == s) for s in (AS_IS, AFTER_FIX, NOT)}
    lines.append(f"{len(verdicts)} DAGs: {counts[AS_IS]} can move as they are, {counts[AFTER_FIX]} after "
                 f"`dagshift check --target-version serverless --fix`, {counts[NOT]} cannot move.")
    return "\n".join(lines) + "\n"


def convert(checked: Any, fixed: Any, platform: str, out: Path) -> list[Verdict]:
    """The verdicts of every Python DAG file of a run (`checked`: CHECK, `fixed`: DIFF results)."""
    facts = engine_facts(platform)
    fixed_by_path = {r.entry.display: r for r in fixed.files}
    verdicts: list[Verdict] = []
    modules: dict[str, str] = {}
    for result in sorted(checked.files, key=lambda r: r.entry.display):
        entry = result.entry
        if entry.kind != "python" or result.failed:
            continue
        text = result.original_text or entry.path.read_text(encoding="utf-8")
        after = fixed_by_path.get(entry.display)
        fixed = (Fixed(after.new_text, after.diagnostics) if after is not None and after.new_bytes is not None
                 else Fixed(text, result.diagnostics))
        module_name = _module_name(entry.path.stem, modules, entry.display)
        verdicts += judge_file(entry.display, text, fixed, result.diagnostics, facts, out, module_name, entry.path)
    return verdicts


def _module_name(stem: str, taken: dict[str, str], display: str) -> str:
    """The code package's module for a DAG file: its file name at the package root (unique)."""
    name, n = stem, 2
    while name in taken and taken[name] != display:
        name, n = f"{stem}_{n}", n + 1
    taken[name] = display
    return name
