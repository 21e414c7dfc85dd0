"""The generated import tables, checked against the generated index of what each version defines.

Reads only committed data: rules/imports/data/import_moves.json and provider_index.json.
"""

from __future__ import annotations

from conftest import ROOT

from dagshift.linter.tables import load_table
from dagshift.rules.imports.tables import closed_world, tables

MOVES = load_table("import_moves")
INDEX = load_table("provider_index")
TARGETS = sorted(INDEX["pins"])


def defined(target: str, dotted: str) -> bool:
    """Importable on the target without a warning, per its closed world (the runtime's reading)."""
    module, _, name = dotted.rpartition(".")
    return closed_world(tables(target), module, name) is None


def test_every_destination_exists_in_the_version_the_target_pins():
    missing = [
        (target, old, per[target]["to"])
        for target in TARGETS  # target by target: the runtime keeps a few targets' tables at once
        for old, per in MOVES["moves"].items()
        if "to" in per[target] and not defined(target, per[target]["to"])
    ]
    assert missing == []


def test_every_provider_destination_names_its_pinned_distribution():
    for old, per in MOVES["moves"].items():
        for target, entry in per.items():
            if entry.get("to", "").startswith("airflow.providers."):
                assert entry["dist"] in INDEX["pins"][target], (old, target)


def test_tables_cover_every_mwaa_2x_and_3x_target_with_provenance():
    versions = load_table("mwaa_versions")["versions"]
    expected = sorted(v["airflow"] for v in versions if not v["airflow"].startswith("1."))
    assert TARGETS == expected
    provenance = MOVES["_provenance"]
    assert provenance["source"]["wheel"].startswith("apache_airflow-1.10.15-")
    assert provenance["renamed_classes"]["wheel"].startswith("apache_airflow_upgrade_check-1.4.0-")
    for target in expected:
        core = provenance["targets"][target]["core"]
        if target.startswith("2."):
            assert core["wheel"].startswith(f"apache_airflow-{target}-")
            assert len(core["sha256"]) == 64
        else:  # Airflow 3's `airflow` package: the core and task-SDK wheels apache-airflow requires
            core_wheel, sdk_wheel = sorted(core["wheels"])
            assert core_wheel.startswith(f"apache_airflow_core-{target}-")
            assert sdk_wheel.startswith("apache_airflow_task_sdk-1.")
            assert all(len(sha) == 64 for sha in core["wheels"].values())
    assert all(set(per) == set(expected) for per in MOVES["moves"].values())


def test_provider_internal_renames_are_followed():
    amazon = INDEX["providers"]["apache-airflow-providers-amazon==" + INDEX["pins"]["2.5.1"]["apache-airflow-providers-amazon"]]
    assert INDEX["pins"]["2.5.1"]["apache-airflow-providers-amazon"] == "7.1.0"
    assert "airflow.providers.amazon.aws.operators.emr_create_job_flow" not in amazon["modules"]
    entry = MOVES["moves"]["airflow.contrib.operators.emr_create_job_flow_operator.EmrCreateJobFlowOperator"]
    assert entry["2.0.2"]["status"] == "deprecated"
    assert entry["2.5.1"] == {
        "status": "removed",
        "to": "airflow.providers.amazon.aws.operators.emr.EmrCreateJobFlowOperator",
        "via": "same name in the pinned provider",
        "dist": "apache-airflow-providers-amazon",
    }
    # Airflow 2.5.1's own shim points at a module amazon 7.1.0 no longer has.
    transform = MOVES["moves"]["airflow.operators.s3_file_transform_operator.S3FileTransformOperator"]["2.5.1"]
    assert transform["status"] == "removed"
    assert transform["to"] == "airflow.providers.amazon.aws.operators.s3.S3FileTransformOperator"


def test_paths_dropped_between_2_0_and_2_4_match_the_known_list():
    dropped = {
        old for old, per in MOVES["moves"].items()
        if per["2.0.2"]["status"] == "deprecated" and per["2.5.1"]["status"] == "removed"
    }
    known = {
        "airflow.contrib.hooks.aws_firehose_hook.AwsFirehoseHook",
        "airflow.contrib.hooks.bigquery_hook.BigQueryPandasConnector",
        "airflow.contrib.operators.ecs_operator.ECSOperator",
        "airflow.contrib.operators.emr_add_steps_operator.EmrAddStepsOperator",
        "airflow.contrib.operators.emr_create_job_flow_operator.EmrCreateJobFlowOperator",
        "airflow.contrib.operators.emr_terminate_job_flow_operator.EmrTerminateJobFlowOperator",
        "airflow.contrib.operators.s3_copy_object_operator.S3CopyObjectOperator",
        "airflow.contrib.operators.s3_delete_objects_operator.S3DeleteObjectsOperator",
        "airflow.contrib.operators.s3_list_operator.S3ListOperator",
        "airflow.contrib.sensors.emr_step_sensor.EmrStepSensor",
        "airflow.contrib.sensors.emr_job_flow_sensor.EmrJobFlowSensor",
        "airflow.sensors.s3_prefix_sensor.S3PrefixSensor",
    }
    assert known <= dropped


def test_fixed_golden_files_import_only_what_the_target_has():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from verify_imports import Index, unresolved

    fixtures = ROOT / "tests" / "fixtures" / "imports"
    checked = 0
    for fixed in sorted(fixtures.glob("*.fixed-*.py")):
        target = fixed.stem.rpartition("-")[2]
        assert unresolved(fixed.read_text(), Index(target)) == [], fixed.name
        checked += 1
    assert checked == 4
    # and the index does tell a missing import when there is one
    assert unresolved("from airflow.contrib.operators.ecs_operator import ECSOperator\n", Index("2.5.1")) == [
        (1, "airflow.contrib.operators.ecs_operator.ECSOperator")
    ]
