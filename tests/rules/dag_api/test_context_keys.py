"""DS507's proven successors (data/context_successors.json, scripts/verify_context_keys.py): where the
fix is safe, where it is refused, what the message says where no successor exists, and the table's
own claims checked against the targets' context keys."""

from __future__ import annotations

from pathlib import Path

from conftest import write

from dagshift.linter.tables import load_table
from dagshift.rules import default_registry
from dagshift.rules.dag_api.context_keys import _variables

DAG = '''from airflow.decorators import task
from airflow.providers.standard.operators.bash import BashOperator

report = BashOperator(
    task_id="report",
    bash_command="report --run {{ execution_date }} --from {{ yesterday_ds }} --to {{ tomorrow_ds_nodash }}",
)
mixed = BashOperator(task_id="mixed", bash_command="x {{ params.prefix ~ yesterday_ds_nodash }} {{ execution_date | ts_nodash }}")
quoted = BashOperator(task_id="quoted", bash_command="{{ params['execution_date'] }} {{ prev_ds }}")
shadowed = BashOperator(task_id="shadowed", bash_command="{% set logical_date = params.day %}{{ execution_date }}")


@task
def load(**context):
    day = context["execution_date"]
    return day, context.get("execution_date"), context["yesterday_ds"], context["conf"]


def notify(row):
    return row["execution_date"]
'''
SQL = "DELETE FROM staging WHERE day < '{{ yesterday_ds }}';\n-- loaded for {{ execution_date }}\n"
REMOVED = "was removed in Airflow 3 and is undefined on 3.0.6"
SAME_VALUE = "use `logical_date`, the same value"
YESTERDAY = "use `{{ (logical_date - macros.timedelta(days=1)) | ds }}`, the same text"
PREV_DS = ("it has no direct replacement: it was the logical date of the schedule's previous tick (a manual run's own "
           "date), which Airflow 3's context does not have: compute it from `logical_date` and the schedule (`@daily`, "
           "scheduled: `{{ (logical_date - macros.timedelta(days=1)) | ds }}`)")
IN_PYTHON = ("in Python it is no key of the context: derive it from `logical_date` (in a template "
             "`{{ (logical_date - macros.timedelta(days=1)) | ds }}` renders the same text)")
CONF = ("it has no direct replacement: read the setting in the DAG file (`from airflow.configuration import conf`) "
        "and pass the value to the task")
LEFT = [
    f"dags/load.py:9:54: DS507 template variable `prev_ds` {REMOVED}: {PREV_DS}",
    f"dags/load.py:10:58: DS507 template variable `execution_date` {REMOVED}: {SAME_VALUE}",
    f"dags/load.py:16:54: DS507 context key `yesterday_ds` {REMOVED}: {IN_PYTHON}",
    f"dags/load.py:16:79: DS507 context key `conf` {REMOVED}: {CONF}",
    f"dags/load.py:20:16: DS507 context key `execution_date` {REMOVED}: {SAME_VALUE}",
]


def check(cli, root: Path, *args: str) -> list[str]:
    return cli("check", ".", "--format", "concise", "--quiet", "--no-cache", "--select", "DS507", "--target-version",
               "3.0.6", *args, cwd=root, registry=default_registry()).out.splitlines()


def test_findings_fixes_and_refusals_on_airflow_3(cli, tmp_path):
    write(tmp_path, {"dags/load.py": DAG, "dags/sql/clean.sql": SQL})
    assert check(cli, tmp_path) == [
        f"dags/load.py:6:18: DS507 [*] template variable `execution_date` {REMOVED}: {SAME_VALUE}",
        f"dags/load.py:6:18: DS507 [*] template variable `tomorrow_ds_nodash` {REMOVED}: use "
        "`{{ (logical_date + macros.timedelta(days=1)) | ds_nodash }}`, the same text",
        f"dags/load.py:6:18: DS507 [*] template variable `yesterday_ds` {REMOVED}: {YESTERDAY}",
        f"dags/load.py:8:52: DS507 [*] template variable `execution_date` {REMOVED}: {SAME_VALUE}",
        f"dags/load.py:8:52: DS507 [*] template variable `yesterday_ds_nodash` {REMOVED}: use "
        "`{{ (logical_date - macros.timedelta(days=1)) | ds_nodash }}`, the same text",
        LEFT[0], LEFT[1],  # `params['execution_date']` is a string, not a key; `{% set logical_date %}` refuses the fix
        f"dags/load.py:15:19: DS507 [*] context key `execution_date` {REMOVED}: {SAME_VALUE}",
        f"dags/load.py:16:29: DS507 [*] context key `execution_date` {REMOVED}: {SAME_VALUE}",
        LEFT[2].replace(":16:54:", ":16:56:"), LEFT[3].replace(":16:79:", ":16:81:"),  # (before the fix on the line)
        LEFT[4],  # `row[...]` is no context: reported, never rewritten
        f"dags/sql/clean.sql:1:37: DS507 [*] template variable `yesterday_ds` {REMOVED}: {YESTERDAY}",
        f"dags/sql/clean.sql:2:18: DS507 [*] template variable `execution_date` {REMOVED}: {SAME_VALUE}",
    ]
    check(cli, tmp_path, "--fix")
    fixed = (tmp_path / "dags" / "load.py").read_text()
    assert fixed == DAG.replace(
        "--run {{ execution_date }} --from {{ yesterday_ds }} --to {{ tomorrow_ds_nodash }}",
        "--run {{ logical_date }} --from {{ (logical_date - macros.timedelta(days=1)) | ds }} "
        "--to {{ (logical_date + macros.timedelta(days=1)) | ds_nodash }}",
    ).replace(
        "{{ params.prefix ~ yesterday_ds_nodash }} {{ execution_date | ts_nodash }}",
        "{{ params.prefix ~ ((logical_date - macros.timedelta(days=1)) | ds_nodash) }} {{ logical_date | ts_nodash }}",
    ).replace('day = context["execution_date"]', 'day = context["logical_date"]').replace(
        'context.get("execution_date")', 'context.get("logical_date")')
    assert (tmp_path / "dags" / "sql" / "clean.sql").read_text() == (
        "DELETE FROM staging WHERE day < '{{ (logical_date - macros.timedelta(days=1)) | ds }}';\n"
        "-- loaded for {{ logical_date }}\n")
    assert check(cli, tmp_path) == LEFT
    check(cli, tmp_path, "--fix")
    assert (tmp_path / "dags" / "load.py").read_text() == fixed


def test_on_airflow_2_the_same_successors_fix_the_deprecation(cli, tmp_path):
    """2.x still has the keys (with a warning) and already has the successors: the same safe fix."""
    write(tmp_path, {"dags/q.sql": "-- {{ yesterday_ds_nodash }} {{ execution_date }}\n"})
    out = cli("check", ".", "--format", "concise", "--quiet", "--no-cache", "--select", "DS507", "--target-version",
              "2.11.2", "--fix", cwd=tmp_path, registry=default_registry())
    assert out.code == 0
    assert (tmp_path / "dags" / "q.sql").read_text() == (
        "-- {{ (logical_date - macros.timedelta(days=1)) | ds_nodash }} {{ logical_date }}\n")


def test_airflow_own_replacement_is_unsafe_where_the_proof_found_runs_it_changes(cli, tmp_path):
    """`next_ds` -> `{{ data_interval_end | ds }}` renders differently on manual runs: an unsafe fix."""
    write(tmp_path, {"dags/q.sql": "-- {{ next_ds }}\n"})
    assert check(cli, tmp_path) == [
        f"dags/q.sql:1:7: DS507 [-] template variable `next_ds` {REMOVED}: use `{{{{ data_interval_end | ds }}}}` "
        "(the same on a scheduled run; on a manual run `next_ds` was the run's own date)"]
    check(cli, tmp_path, "--fix")
    assert (tmp_path / "dags" / "q.sql").read_text() == "-- {{ next_ds }}\n"
    check(cli, tmp_path, "--fix", "--unsafe-fixes")
    assert (tmp_path / "dags" / "q.sql").read_text() == "-- {{ data_interval_end | ds }}\n"


def test_the_table_names_its_proof_and_reads_only_keys_every_reporting_target_has():
    table = load_table("context_successors")
    proof = table["_provenance"]["proof"]
    assert proof["old"] == "2.11.2" and proof["new"] == ["3.0.6", "3.3.1"] and proof["runs"] == 585
    assert table["_provenance"]["documented"]["source"].endswith("/templates-ref.html")
    assert sorted(table["successors"]) == ["execution_date", "tomorrow_ds", "tomorrow_ds_nodash", "yesterday_ds",
                                           "yesterday_ds_nodash"]
    targets = load_table("dag_api", "targets")["targets"]
    for version, facts in targets.items():
        if facts["context_keys"]:  # (2.2-2.8's wheels list no keys: their context is 2.9's for these names)
            for successor in table["successors"].values():
                assert _variables(successor["template"]) <= set(facts["context_keys"]), (version, successor)
