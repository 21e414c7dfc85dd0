"""DS507 follows a callable to PythonOperator through the module's own data flow: a helper that
hands its parameter on (and a helper of that helper, by keyword), a dict of callables iterated with
`.items()`; a function with a removed-key parameter that no operator receives is not a task."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagshift.rules import default_registry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dag_api"


def test_callables_reached_through_helpers_dicts_and_loops(cli, tmp_path):
    (tmp_path / "dags").mkdir()
    shutil.copy(FIXTURES / "callable_helpers.py", tmp_path / "dags" / "helper.py")
    result = cli("check", ".", "--format", "concise", "--quiet", "--select", "DS507", "--target-version", "3.0.6",
                 cwd=tmp_path, registry=default_registry())
    assert result.out.splitlines() == [
        "dags/helper.py:7:13: DS507 task parameter `execution_date` names a context key that was removed in Airflow 3: "
        "3.0.6 has no value for it and the task fails; rename it and its uses to `logical_date`, the same value",
        "dags/helper.py:11:10: DS507 task parameter `next_execution_date` names a context key that was removed in "
        "Airflow 3: 3.0.6 has no value for it and the task fails; use `data_interval_end` (the same on a scheduled "
        "run; on a manual run `next_execution_date` was the run's own logical date)",
        "dags/helper.py:15:12: DS507 task parameter `prev_execution_date` names a context key that was removed in "
        "Airflow 3: 3.0.6 has no value for it and the task fails; it has no direct replacement: it was the logical "
        "date of the schedule's previous tick (a manual run's own), which Airflow 3's context does not have: compute "
        "it from `logical_date` and the DAG's schedule",
    ]
