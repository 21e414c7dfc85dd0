"""The identity proofs (rules/imports/data/rewrite_proofs.json, from scripts/verify_identity.py)
decide each import fix's safety: a disproven rewrite is never offered, an unproven one never safe."""

from __future__ import annotations

import libcst as cst
import pytest

from dagshift.linter.imports import ImportedName
from dagshift.linter.tables import load_table
from dagshift.rules import default_registry
from dagshift.rules.imports.analysis import from_import_finding
from dagshift.rules.imports.tables import tables

PROOFS = load_table("rewrite_proofs", "targets")["targets"]


def _finding(target: str, path: str):
    module, _, name = path.rpartition(".")
    imported = ImportedName(name, path, module, name, 0, cst.ImportAlias(name=cst.Name(name)), None)  # type: ignore[arg-type]
    return from_import_finding(tables(target), imported)


@pytest.mark.parametrize("target", ["2.5.1", "2.11.2", "3.0.6", "3.2.1", "3.3.1"])
def test_no_disproven_rewrite_is_offered_and_no_unproven_one_is_safe(target):
    records = PROOFS[target]
    assert sum(r[1] == "disproven" for r in records.values()) > 0  # (the oracle found look-alikes here)
    for old, (new, status, _why) in records.items():
        finding = _finding(target, old)
        if finding is None or finding.detail is None:
            continue
        if status == "disproven":
            assert finding.detail.new != new, old
        else:
            assert finding.detail.proven == (status == "proven" and finding.detail.new == new), old


def test_a_look_alike_sharing_the_name_is_no_fix(cli, tmp_path):
    # On 3.3.1 Airflow's own shim hands out the module `airflow.sdk.definitions.context` for
    # `airflow.utils.context.Context`: not the class `airflow.sdk.Context`, so no rewrite is proven.
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "ctx.py").write_text("from airflow.utils.context import Context\n")
    result = cli("check", ".", "--format", "concise", "--quiet", "--select", "DS1", "--target-version", "3.3.1",
                 cwd=tmp_path, registry=default_registry())
    assert result.out == (
        "dags/ctx.py:1:35: DS102 `airflow.utils.context.Context` is deprecated on Airflow 3.3.1: `airflow.sdk.Context` "
        "has the same name but is not the same thing (`airflow.utils.context.Context` is "
        "`airflow.sdk.definitions.context` and `airflow.sdk.Context` is `airflow.sdk.definitions.context.Context` on "
        "3.3.1); import what you mean from where it is defined on the target\n"
    )


def test_a_dataset_follows_airflows_own_shim_on_targets_that_removed_it(cli, tmp_path):
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "assets.py").write_text(
        "from airflow.datasets import Dataset\n\norders = Dataset('s3://lake/orders/')\n")
    result = cli("check", ".", "--format", "concise", "--quiet", "--select", "DS1", "--target-version", "3.3.1",
                 "--fix", cwd=tmp_path, registry=default_registry())
    assert result.out == ""
    assert (tmp_path / "dags" / "assets.py").read_text() == (
        "from airflow.sdk import Asset\n\norders = Asset('s3://lake/orders/')\n")
