"""Run inside an Airflow venv by scripts/verify_replacements.py: load one DAG file and print, as JSON,
what each task would run: its class, rendered templated fields, connection ids, `hook_params`, and
for BigQuery the job configuration (BigQueryExecuteQueryOperator's is the one its hook's `run_query`
builds, captured at `insert_job` with BigQuery itself mocked out: nothing leaves the machine).

    <venv>/bin/python scripts/replacement_probe.py dags/etl.py
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from unittest import mock

CONTEXT = {"ds": "2024-01-02", "ds_nodash": "20240102", "params": {}}
ATTRIBUTES = ("sql", "conn_id", "gcp_conn_id", "aws_conn_id", "hook_params", "autocommit", "parameters",
              "configuration", "location", "if_exists", "region", "project_id", "bucket_name", "bucket_key", "wildcard_match", "prefix", "delimiter")


def bigquery_configuration(task) -> dict:
    """The `configuration` BigQueryExecuteQueryOperator.execute hands BigQuery (its hook's run_query)."""
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

    captured = {}
    os.environ[f"AIRFLOW_CONN_{task.gcp_conn_id.upper()}"] = "google-cloud-platform://"  # (a connection to read, no more)

    def insert_job(self, configuration, **kwargs):
        captured.update(configuration)
        return mock.MagicMock(job_id="job")

    with mock.patch.object(BigQueryHook, "project_id", new_callable=mock.PropertyMock, return_value="conn-project"), \
            mock.patch.object(BigQueryHook, "insert_job", insert_job):
        task.execute({"task_instance": mock.MagicMock()})
    return captured


def bigquery_table(task) -> dict:
    """The table BigQueryCreateEmptyTableOperator / BigQueryCreateTableOperator hands BigQuery's client
    (`Client.create_table`, mocked: its resource as the API request body, and `exists_ok`)."""
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook
    from airflow.providers.google.cloud.links.bigquery import BigQueryTableLink

    captured = {}
    client = mock.MagicMock()
    os.environ[f"AIRFLOW_CONN_{task.gcp_conn_id.upper()}"] = "google-cloud-platform://"

    def create_table(table, exists_ok=True, **kwargs):
        captured.update(request=table.to_api_repr(), exists_ok=exists_ok)
        return table

    client.create_table.side_effect = create_table

    def download(self, bucket_name, object_name, **kwargs):  # (a `gcs_schema_object`: the schema it names)
        captured["gcs_schema"] = f"gs://{bucket_name}/{object_name}"
        return json.dumps([{"name": "from_gcs", "type": "STRING"}]).encode()

    from airflow.providers.google.cloud.hooks.gcs import GCSHook

    with mock.patch.object(BigQueryHook, "project_id", new_callable=mock.PropertyMock, return_value="conn-project"), \
            mock.patch.object(BigQueryHook, "get_client", return_value=client), \
            mock.patch.object(GCSHook, "download_as_byte_array", download), \
            mock.patch.object(BigQueryTableLink, "persist"):
        task.execute({"task_instance": mock.MagicMock(), "ti": mock.MagicMock()})
    return captured


def dataflow_run(task) -> dict:
    """What DataflowCreatePythonJobOperator / BeamRunPythonPipelineOperator on DataflowRunner hand on:
    DataflowHook's arguments, BeamHook.start_python_pipeline's (the pipeline options included) and
    what the task waits for (`wait_for_done`). Nothing runs: Beam, GCS and Dataflow are mocked, and
    the job name's random suffix is fixed (uuid4 = 0)."""
    import contextlib
    import types
    import uuid

    from airflow.providers.apache.beam.hooks.beam import BeamHook
    from airflow.providers.google.cloud.hooks.dataflow import DataflowHook
    from airflow.providers.google.cloud.hooks.gcs import GCSHook

    captured = {}
    original_init = DataflowHook.__init__
    os.environ[f"AIRFLOW_CONN_{task.gcp_conn_id.upper()}"] = "google-cloud-platform://"

    def hook_init(self, *args, **kwargs):
        captured["dataflow_hook"] = dict(kwargs)
        original_init(self, *args, **kwargs)

    def start(self, **kwargs):
        captured["pipeline"] = {k: v for k, v in kwargs.items() if not k.endswith("callback")}

    def wait(self, **kwargs):
        captured["wait"] = {k: kwargs.get(k) for k in ("job_name", "location")}

    def provide_file(self, object_url, **kwargs):
        return contextlib.nullcontext(types.SimpleNamespace(name=object_url))

    with mock.patch.object(DataflowHook, "__init__", hook_init), \
            mock.patch.object(DataflowHook, "project_id", new_callable=mock.PropertyMock, return_value="conn-project"), \
            mock.patch.object(DataflowHook, "provide_authorized_gcloud", lambda self: contextlib.nullcontext()), \
            mock.patch.object(DataflowHook, "wait_for_done", wait), mock.patch.object(BeamHook, "start_python_pipeline", start), \
            mock.patch.object(GCSHook, "provide_file", provide_file), \
            mock.patch("uuid.uuid4", return_value=uuid.UUID(int=0)), \
            mock.patch("airflow.providers.google.cloud.links.dataflow.DataflowJobLink.persist"):
        task.execute({"task_instance": mock.MagicMock(), "ti": mock.MagicMock()})
    return captured


def dataproc_job(task) -> dict:
    """The request DataprocSubmitPySparkJobOperator / DataprocSubmitJobOperator hands Dataproc's job
    client (`submit_job`, mocked; waiting and links mocked too)."""
    from airflow.providers.google.cloud.hooks.dataproc import DataprocHook

    captured = {}
    client = mock.MagicMock()
    os.environ[f"AIRFLOW_CONN_{task.gcp_conn_id.upper()}"] = "google-cloud-platform://"

    def submit_job(request, **kwargs):
        captured.update(request)
        return mock.MagicMock()

    client.submit_job.side_effect = submit_job
    links = [p for p in ("DataprocLink", "DataprocJobLink") if hasattr(sys.modules[type(task).__module__], p)]
    with mock.patch.object(DataprocHook, "project_id", new_callable=mock.PropertyMock, return_value="conn-project"), \
            mock.patch.object(DataprocHook, "get_job_client", return_value=client), \
            mock.patch.object(DataprocHook, "wait_for_job"), \
            contextlib_stack([mock.patch(f"{type(task).__module__}.{p}.persist") for p in links]):
        task.execute({"task_instance": mock.MagicMock(), "ti": mock.MagicMock()})
    return captured


def contextlib_stack(managers):
    import contextlib

    stack = contextlib.ExitStack()
    for manager in managers:
        stack.enter_context(manager)
    return stack


def describe(task, dag) -> dict:
    found = {"class": f"{type(task).__module__}.{type(task).__name__}"}
    try:
        task.render_template_fields({**CONTEXT, "dag": dag, "task": task}, dag.get_template_env())
    except Exception as error:  # (a template that needs more than `ds`: compared as written, on both sides)
        found["unrendered"] = type(error).__name__
    for name in ATTRIBUTES:
        if hasattr(task, name):
            found[name] = getattr(task, name)
    if type(task).__name__ == "BigQueryExecuteQueryOperator":
        found["configuration"] = bigquery_configuration(task)
    if type(task).__name__ in ("BigQueryCreateEmptyTableOperator", "BigQueryCreateTableOperator"):
        found["table_request"] = bigquery_table(task)
    if type(task).__name__ in ("DataflowCreatePythonJobOperator", "BeamRunPythonPipelineOperator"):
        found["dataflow"] = dataflow_run(task)
    if type(task).__name__ in ("DataprocSubmitPySparkJobOperator", "DataprocSubmitJobOperator"):
        found["dataproc"] = dataproc_job(task)
    return found


def _google_project():
    """Every Google hook's project is the connection's, `conn-project` (no credentials are looked for)."""
    try:
        from airflow.providers.google.common.hooks.base_google import GoogleBaseHook
    except ImportError:
        return contextlib_stack([])
    return mock.patch.object(GoogleBaseHook, "project_id", new_callable=mock.PropertyMock, return_value="conn-project")


def main(path: str) -> None:
    warnings.simplefilter("ignore")
    # (Dataproc's job operators build their hook and read its project while the DAG loads)
    os.environ.setdefault("AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", json.dumps(
        {"conn_type": "google_cloud_platform", "extra": {"project": "conn-project", "extra__google_cloud_platform__project": "conn-project"}}))
    from airflow.models import DagBag

    with _google_project():
        bag = DagBag(dag_folder=path, include_examples=False)
        tasks = {}
        for dag in bag.dags.values():
            for task in dag.tasks:
                tasks[f"{dag.dag_id}.{task.task_id}"] = describe(task, dag)
    print(json.dumps({"errors": {k: v.strip().splitlines()[-1] for k, v in bag.import_errors.items()},
                      "tasks": tasks}, default=repr, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
