"""Render templates for real DAG runs, as JSON: run by scripts/verify_context_keys.py with the python
of an Airflow verification venv (it imports Airflow there, never in dagshift's process).

    <venv>/bin/python context_keys_probe.py SPEC.json OUT.json

SPEC: {"templates": {name: text}, "dags": [{"tz": ..., "schedule": ...}], "windows": [[start, end]],
"manual": [iso, ...]} on Airflow 2 (the runs are the DAG's own schedule inside each window, plus
manual runs at the given instants, created in the sqlite metadata database of AIRFLOW_HOME, each
one successful, so that the `*_success` keys have a previous run);
on Airflow 3 "runs" instead: the runs an Airflow 2 probe wrote, created again here.

Airflow 2: each run's task-instance context is `TaskInstance.get_template_context()` (what the
task runner renders with). Airflow 3: the DagRun row goes through the execution API's own model
(`TIRunContext`), to JSON and back into the task SDK's model, as the API server sends it to a
worker, and the context is `RuntimeTaskInstance.get_template_context()`. Each template is rendered
by the task's own `render_template`. Out: per run its dates and each template's text (or the error).
"""

import datetime
import json
import sys
import uuid
import warnings

import pendulum

warnings.simplefilter("ignore")


def _dag(spec, index):
    from airflow import __version__

    if __version__.startswith("2."):
        from airflow.models.dag import DAG
        from airflow.operators.bash import BashOperator
    else:
        from airflow.providers.standard.operators.bash import BashOperator
        from airflow.sdk import DAG
    tz = pendulum.timezone(spec["tz"])
    # (Airflow 3 is handed each run's dates: its own timetable for the schedule is never asked.)
    dag = DAG(f"probe_{index}", schedule=spec["schedule"], start_date=pendulum.datetime(2023, 1, 1, tz=tz), catchup=False)
    task = BashOperator(task_id="t", bash_command="true", dag=dag)
    return dag, task


def _value(value):
    """What a Python callable sees: type, text, instant and timezone of a context value."""
    if isinstance(value, datetime.datetime):
        return {"type": f"{type(value).__module__}.{type(value).__name__}", "str": str(value),
                "iso": value.isoformat(), "utcoffset": str(value.utcoffset()),
                "tzname": getattr(value, "timezone_name", None) or str(value.tzinfo)}
    return {"type": type(value).__name__, "str": str(value)}


def _render(task, context, templates):
    out = {}
    for name, text in templates.items():
        try:
            out[name] = task.render_template(text, context)
        except Exception as error:  # an undefined key is the point of some templates
            out[name] = f"!{type(error).__name__}: {error}"
    return out


def airflow2(spec):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    results = []
    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id.like("probe_%")).delete(synchronize_session=False)
    for index, dag_spec in enumerate(spec["dags"]):
        dag, task = _dag(dag_spec, index)
        dag.sync_to_db()
        runs = []
        for start, end in dag_spec.get("windows", spec.get("windows", [])):
            for info in dag.iter_dagrun_infos_between(pendulum.parse(start), pendulum.parse(end)):
                runs.append((DagRunType.SCHEDULED, info.logical_date, info.data_interval))
        for instant in dag_spec.get("manual", spec.get("manual", [])):
            logical = pendulum.parse(instant).in_timezone(dag.timezone)
            runs.append((DagRunType.MANUAL, logical, dag.timetable.infer_manual_data_interval(run_after=logical)))
        run_ids = []
        for run_type, logical, interval in runs:  # every run first: a run's `*_success` keys see all the others
            with create_session() as session:
                run = dag.create_dagrun(run_id=f"{run_type.value}__{logical.isoformat()}", run_type=run_type,
                                        execution_date=logical, data_interval=interval, state=DagRunState.SUCCESS,
                                        external_trigger=run_type == DagRunType.MANUAL, session=session)
                run_ids.append(run.run_id)
        for run_id in run_ids:
            with create_session() as session:  # read back as a worker reads it: the dates in UTC
                run = session.query(DagRun).filter_by(dag_id=dag.dag_id, run_id=run_id).one()
                ti = run.get_task_instance("t", session=session)
                ti.task = task
                context = ti.get_template_context(session=session)
                results.append({
                    "dag": dag_spec, "run_type": run.run_type, "logical_date": run.execution_date.isoformat(),
                    "data_interval": [run.data_interval_start.isoformat(), run.data_interval_end.isoformat()],
                    "execution_date_is_logical_date": context["execution_date"] is context["logical_date"],
                    "logical_date_value": _value(context["logical_date"]),
                    "execution_date_value": _value(context["execution_date"]),
                    "rendered": _render(task, context, spec["templates"])})
    return results


def airflow3(spec):
    from airflow.api_fastapi.execution_api.datamodels.taskinstance import DagRun as ApiDagRun
    from airflow.api_fastapi.execution_api.datamodels.taskinstance import TIRunContext as ApiContext
    from airflow.models.dagrun import DagRun
    from airflow.sdk.api.datamodels._generated import TIRunContext
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id.like("probe_%")).delete(synchronize_session=False)
    dags = {}
    results = []
    for number, run_spec in enumerate(spec["runs"]):
        key = json.dumps(run_spec["dag"], sort_keys=True)
        if key not in dags:
            dags[key] = _dag(run_spec["dag"], len(dags))
        dag, task = dags[key]
        logical = pendulum.parse(run_spec["logical_date"])
        start, end = (pendulum.parse(d) for d in run_spec["data_interval"])
        with create_session() as session:
            row = DagRun(dag_id=dag.dag_id, run_id=f"r{number}", logical_date=logical, run_after=end,
                         data_interval=(start, end), run_type=DagRunType(run_spec["run_type"]),
                         state=DagRunState.RUNNING, start_date=pendulum.now("UTC"),
                         triggered_by=DagRunTriggeredByType.TEST)
            session.add(row)
            session.commit()
            row = session.query(DagRun).filter_by(dag_id=dag.dag_id, run_id=f"r{number}").one()
            sent = ApiContext(dag_run=ApiDagRun.model_validate(row, from_attributes=True), max_tries=0,
                              variables=[], connections=[], xcom_keys_to_clear=[], should_retry=False)
        received = TIRunContext.model_validate_json(sent.model_dump_json())
        ti = RuntimeTaskInstance.model_construct(
            id=uuid.uuid4(), task_id="t", dag_id=dag.dag_id, run_id=f"r{number}", try_number=1, map_index=-1,
            task=task, start_date=pendulum.now("UTC"), _ti_context_from_server=received)
        context = ti.get_template_context()
        results.append({**run_spec, "logical_date_value": _value(context["logical_date"]),
                        "rendered": _render(task, context, spec["templates"])})
    return results


def main():
    spec = json.loads(open(sys.argv[1]).read())
    from airflow import __version__

    result = {"airflow": __version__, "runs": airflow2(spec) if __version__.startswith("2.") else airflow3(spec)}
    with open(sys.argv[2], "w") as out:
        json.dump(result, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
