"""DS401-DS407: Airflow configuration, secrets backends, MWAA environment definitions, CLI calls.

Settings are found in airflow.cfg, AIRFLOW__* environment variables (.env, Dockerfile, compose,
Kubernetes, shell) and MWAA AirflowConfigurationOptions (CloudFormation YAML/JSON, Terraform,
CDK/boto3 Python); see settings.py beside this file. Analysis: analysis.py.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Optional

from dagshift.environments.model import ROLES
from dagshift.linter.rule import ERROR, SOMETIMES, WARNING, Example, FamilyRule

CONFIG_KINDS = frozenset({"airflow-cfg", "env", "dockerfile", "yaml", "json", "terraform", "python", "shell",
                          "makefile", "text"})
OLD_BACKEND = "airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend"
NEW_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
MARKERS = ("AIRFLOW__", "AirflowConfigurationOptions", "conf.get", "conf.has_option", "configuration.get", "airflow_configuration_options", "AirflowVersion",
           "airflow_version", "create_cli_token", "/aws_mwaa/cli", "_task_handler.", "airflow.contrib.", "/api/v1/",
           "/api/experimental/")
INI_SECTION = re.compile(r"\[[a-z_]+\]\s*$", re.M)  # literal first; the line start is checked by hand
CFN = (
    "Resources:\n  MwaaEnvironment:\n    Type: AWS::MWAA::Environment\n    Properties:\n"
    '      AirflowVersion: "{version}"\n      AirflowConfigurationOptions:\n        secrets.backend: {backend}\n'
)


@lru_cache(maxsize=32)
def _config_wanted(text: str, target: str = "") -> bool:
    """One answer per file for the seven configuration rules."""
    if any(marker in text for marker in MARKERS):
        return True
    if "[" in text and any(text[text.rfind("\n", 0, m.start()) + 1 : m.start()].isspace() or
                           text.rfind("\n", 0, m.start()) + 1 == m.start() for m in INI_SECTION.finditer(text)):
        return True
    if "airflow" not in text:
        return False
    from dagshift.rules.config.cli import CLI_RE

    if CLI_RE.search(text) is not None:
        return True
    if target.startswith("3."):  # the 2.x commands Airflow 3 dropped
        from dagshift.rules.config.cli3 import COMMAND_RE, command_at

        return any(command_at(target, m.group(1), m.group(2)) for m in COMMAND_RE.finditer(text))
    return False


class _ConfigRule(FamilyRule):
    needs_module = False  # the configuration rules read text in every file kind, Python included
    kinds = CONFIG_KINDS
    roles = frozenset(ROLES)  # a file of an Airflow environment, whatever its role

    def wants(self, text: str, target: str) -> bool:
        return _config_wanted(text, target)

    def analyse(self, ctx: Any) -> Any:
        from dagshift.rules.config.analysis import analyse

        return analyse(ctx)


class MovedClassPath(_ConfigRule):
    code = "DS401"
    name = "moved-class-in-config"
    message = "configuration names a 1.10 class path"
    severity = ERROR
    # Every target has 1.10 paths it no longer imports (error) and paths a shim still serves,
    # `hostname_callable`'s old form and auth backends, whose failure depends on the option (warnings).
    mixed = True
    fix = SOMETIMES
    records = frozenset({"providers"})
    doc = """
## What it does
Reports configuration values that name an Airflow 1.10 class or function path, wherever the
repository sets them: the secrets backend (`airflow.contrib.secrets.*`: Secrets Manager, Systems
Manager Parameter Store, HashiCorp Vault, GCP Secret Manager, which became
`CloudSecretManagerBackend`), the email backend, task log handlers, `logging_config_class`, the
executor; dotted 1.10 paths in Python string literals (custom logging configs:
`'class': 'airflow.utils.log.s3_task_handler.S3TaskHandler'`); and `hostname_callable` in the 1.10
`module:function` form. The destinations come from the
same generated tables as DS101-DS103, so they exist in the provider versions the target pins.
The API's auth backends (`auth_backends`, `auth_backend`: lists of modules) are checked module by
module against the target's closed world, as warnings with no fix (whether it fails depends on the
option being read, which DS403/DS404 say; the module of the same path in a provider is named, not
written: that it is the same backend is not proven).

## Why it matters on Airflow 2
A value whose path no longer imports stops the scheduler or the secrets lookup (error); one that
works through a deprecation shim warns at every start (warning) and breaks on Airflow 3. The
provider named must be installed: DS305 adds it to requirements.txt when checked in the same run.

## Example
```ini
[secrets]
backend = airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend
```

## Fix safety
Safe: the value is rewritten in place (`airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend`),
in the file's own syntax; nothing else in the file changes.
"""
    invalid = (
        Example(f"[secrets]\nbackend = {OLD_BACKEND}\n", f"[secrets]\nbackend = {NEW_BACKEND}\n",
                path="airflow.cfg", target="2.5.1", findings=((2, 11, '[secrets] backend = `airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend` is deprecated on Airflow 2.5.1: use `airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend` (in apache-airflow-providers-amazon, which MWAA 2.5.1 installs)'),)),
        Example("LOGGING = {'handlers': {'task': {'class': 'airflow.utils.log.s3_task_handler.S3TaskHandler'}}}\n",
                "LOGGING = {'handlers': {'task': {'class': "
                "'airflow.providers.amazon.aws.log.s3_task_handler.S3TaskHandler'}}}\n",
                path="config/log_config.py", target="2.5.1", findings=((1, 44, '`airflow.utils.log.s3_task_handler.S3TaskHandler` is deprecated on Airflow 2.5.1: use `airflow.providers.amazon.aws.log.s3_task_handler.S3TaskHandler` (in apache-airflow-providers-amazon, which MWAA 2.5.1 installs)'),)),
        Example(f"AIRFLOW__SECRETS__BACKEND={OLD_BACKEND}\n", f"AIRFLOW__SECRETS__BACKEND={NEW_BACKEND}\n",
                path=".env", target="2.5.1", findings=((1, 27, 'AIRFLOW__SECRETS__BACKEND = `airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend` is deprecated on Airflow 2.5.1: use `airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend` (in apache-airflow-providers-amazon, which MWAA 2.5.1 installs)'),)),
        Example(CFN.format(version="2.5.1", backend=OLD_BACKEND), CFN.format(version="2.5.1", backend=NEW_BACKEND),
                path="infra/mwaa.yaml", target="2.5.1", findings=((7, 26, 'secrets.backend = `airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend` is deprecated on Airflow 2.5.1: use `airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend` (in apache-airflow-providers-amazon, which MWAA 2.5.1 installs)'),)),
        # The error: a path the target does not have at all.
        Example("[core]\nexecutor = airflow.contrib.executors.mesos_executor.MesosExecutor\n", path="airflow.cfg",
                target="2.11.2", findings=((2, 12, '[core] executor = `airflow.contrib.executors.mesos_executor.MesosExecutor` does not exist on Airflow 2.11.2 and has no replacement'),)),
    )
    valid = (Example(f"[secrets]\nbackend = {NEW_BACKEND}\n", path="airflow.cfg", target="2.5.1"),)


class BackendKwargs(_ConfigRule):
    code = "DS402"
    name = "backend-kwargs-json"
    message = "`backend_kwargs` is not valid JSON"
    severity = ERROR
    doc = """
## What it does
Reports `backend_kwargs` (secrets backend options) that are not valid JSON, in any of the places
DS401 reads.

## Why it matters on Airflow 2
Airflow parses the value with `json.loads` when it builds the secrets backend; invalid JSON stops
every component that needs a connection or variable.

## Example
```ini
[secrets]
backend_kwargs = {'connections_prefix': 'airflow/connections'}
```

## Fix safety
None: use double quotes, `{"connections_prefix": "airflow/connections"}`.
"""
    invalid = (Example("[secrets]\nbackend_kwargs = {'connections_prefix': 'airflow/connections'}\n", None,
                       path="airflow.cfg", target="2.5.1", findings=((2, 18, '[secrets] backend_kwargs is not valid JSON (Expecting property name enclosed in double quotes at character 1): the secrets backend fails to start'),)),)
    valid = (Example('[secrets]\nbackend_kwargs = {"connections_prefix": "airflow/connections"}\n', path="airflow.cfg",
                         target="2.5.1"),)


class RenamedOption(_ConfigRule):
    code = "DS403"
    name = "renamed-config-option"
    message = "configuration option renamed"
    severity = WARNING
    fix = SOMETIMES
    doc = """
## What it does
Reports options the target renamed or moved to another section (Airflow's own
`deprecated_options`/`deprecated_sections` tables, read from each target wheel):
`[core] dag_concurrency` -> `[core] max_active_tasks_per_dag` (2.2), `[core] sql_alchemy_conn` ->
`[database]` (2.3), `[kubernetes]` -> `[kubernetes_executor]` (2.5), the `[core]` logging options ->
`[logging]` (2.0), ... In airflow.cfg, env files, MWAA definitions, and in Python code that reads
them (`conf.get("core", "base_log_folder")`, `conf.getboolean(...)`, `conf.has_option(...)`,
through `conf`, `configuration` or an alias of either).

## Why it matters on Airflow 2
The old names still work with a deprecation warning at every start, and stop working in Airflow 3.

## Example
```shell
AIRFLOW__CORE__DAG_CONCURRENCY=16
```

## Fix safety
Safe: the key is renamed in the file's own syntax (`AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG`,
`core.max_active_tasks_per_dag`, `conf.get("logging", "base_log_folder")`). In airflow.cfg an
option that changes section is moved there with its comment lines, at the end of that section
(created at the end of the file when absent); every option moving to one section moves in one
fix, and the rest of the file stays byte-identical.
"""
    invalid = (
        Example("[core]\n# task logs\nbase_log_folder = /logs\nexecutor = CeleryExecutor\n\n[logging]\nlogging_level = INFO\n",
                "[core]\nexecutor = CeleryExecutor\n\n[logging]\nlogging_level = INFO\n# task logs\nbase_log_folder = /logs\n",
                path="airflow.cfg", target="2.5.1", findings=((3, 1, '[core] base_log_folder was renamed to `logging.base_log_folder` in Airflow 2.0.0 (move it to the [logging] section): the old name works on 2.5.1 with a deprecation warning'),)),
        Example.replacing("from airflow.configuration import conf\n\nlogs = conf.get('core', 'base_log_folder')\n",
                          "'core', 'base_log_folder'", "'logging', 'base_log_folder'", target="2.5.1", findings=((3, 17, '`[core] base_log_folder` (read here) was renamed to `logging.base_log_folder` in Airflow 2.0.0: the old name works on 2.5.1 with a deprecation warning'),)),
        Example("AIRFLOW__CORE__DAG_CONCURRENCY=16\n", "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=16\n",
                path=".env", target="2.5.1", findings=((1, 1, 'AIRFLOW__CORE__DAG_CONCURRENCY was renamed to `core.max_active_tasks_per_dag` in Airflow 2.2.0: the old name works on 2.5.1 with a deprecation warning'),)),
        Example("[core]\nsql_alchemy_conn = postgresql://db\n", "[core]\n\n[database]\nsql_alchemy_conn = postgresql://db\n",
                path="airflow.cfg", target="2.5.1", findings=((2, 1, '[core] sql_alchemy_conn was renamed to `database.sql_alchemy_conn` in Airflow 2.3.0 (move it to the [database] section): the old name works on 2.5.1 with a deprecation warning'),)),
    )
    valid = (Example("AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=16\n", path=".env", target="2.5.1"),)


class RemovedOption(_ConfigRule):
    code = "DS404"
    name = "removed-config-option"
    message = "configuration option removed"
    severity = WARNING
    doc = """
## What it does
Reports options Airflow 1.10.15 had that the target neither has nor renames (from the `config.yml`
of both wheels): the `[kubernetes]` pod-shaping keys, `[ldap]`, `[mesos]`, `[webserver] rbac`,
`[core] secure_mode`, ... (67 on 2.0.2, 70 on 2.5.1), also where Python code reads them with
`conf.get(...)` (which then raises unless it passes a `fallback`). An option Airflow 2 renamed whose
new name the target removed too (`[core] load_default_connections`, `[database]` since 2.3, gone in
3.0) is reported here, not as DS403's rename: the rename would write an option the target lacks.

## Why it matters on Airflow 2
The setting is silently ignored: whatever it used to change no longer happens (for the Kubernetes
keys, use a `pod_template_file`; for LDAP, `webserver_config.py`).

## Example
```ini
[webserver]
rbac = True
```

From MWAA 2.9.2 it also reports `AirflowConfigurationOptions` keys MWAA does not let an environment
set (`core.executor`, `core.fernet_key`, `database.sql_alchemy_conn`, ...: the "essential"
configuration of MWAA's images, `rules/config/data/mwaa_protected_options.json`).

## Fix safety
None: remove it, or move its intent to what replaced it.
"""
    invalid = (
        Example("[webserver]\nrbac = True\n", None, path="airflow.cfg", target="2.5.1", findings=((2, 1, '[webserver] rbac no longer exists on Airflow 2.5.1: the setting is ignored'),)),
        Example(CFN.format(version="2.10.3", backend=NEW_BACKEND) + "        core.executor: LocalExecutor\n", None,
                path="infra/mwaa.yaml", target="2.10.3", findings=((8, 9, 'MWAA 2.10.3 does not let environments set `core.executor`: its own value wins'),)),
    )
    valid = (Example("[webserver]\nbase_url = https://airflow.example.com\n", path="airflow.cfg", target="2.5.1"),)


class MwaaKeyFormat(_ConfigRule):
    code = "DS405"
    name = "mwaa-option-format"
    message = "MWAA rejects this configuration key"
    severity = ERROR
    doc = """
## What it does
Checks the keys and values of MWAA `AirflowConfigurationOptions` against the MWAA API's rules: keys
are lowercase `section.option` (pattern `[a-z]+([a-z0-9._]*[a-z0-9_]+)?`, at most 64 characters),
values printable ASCII.

## Why it matters on Airflow 2
CreateEnvironment/UpdateEnvironment fail with "Some of the provided configurations do not have the
expected format": the whole deployment is rejected.

## Example
```yaml
AirflowConfigurationOptions:
  Core.Default_Timezone: utc
```

## Fix safety
None: write the key in lowercase `section.option` form.
"""
    invalid = (Example(CFN.format(version="2.5.1", backend=NEW_BACKEND) + "        Core.Default_Timezone: utc\n", None,
                       path="infra/mwaa.yaml", target="2.5.1", findings=((8, 9, 'MWAA rejects the configuration key `Core.Default_Timezone`: keys are lowercase `section.option` (letters, digits, `_` and `.`, at most 64 characters)'),)),)
    valid = (Example(CFN.format(version="2.5.1", backend=NEW_BACKEND) + "        core.default_timezone: utc\n", path="infra/mwaa.yaml",
                         target="2.5.1"),)


class MwaaVersion(_ConfigRule):
    code = "DS406"
    name = "mwaa-airflow-version"
    message = "the MWAA environment's AirflowVersion is not the target"
    severity = ERROR
    fix = SOMETIMES
    doc = """
## What it does
Reports `AirflowVersion` (CloudFormation, CDK, boto3) or `airflow_version` (Terraform) of an MWAA
environment definition that differs from the target version, or names a version MWAA does not offer,
and says what MWAA allows from that version: an in-place minor upgrade or downgrade; Airflow 3 in
place only from the latest 2.11.x; from 1.10, or from an earlier 2.x to 3, a new environment and
the metadata export and import the migration guide describes.

## Why it matters on Airflow 2
Infrastructure code and DAG code drift apart: the DAGs are migrated for one version and deployed
on another. And the version in infrastructure is what the next `terraform apply` or stack update
asks MWAA for: a change MWAA refuses (1.10.12 to 2.x, 2.5.1 to 3.0.6) fails the deployment.

## Example
```yaml
AirflowVersion: "2.10.3"
```
With `--target-version 2.11.2`, use instead (an in-place minor upgrade):
```yaml
AirflowVersion: "2.11.2"
```

## Fix safety
Unsafe, and offered only where MWAA upgrades in place: the edit changes what is deployed (the next
apply upgrades a running environment, stopping its tasks), so it is a decision for a person, never a
safe fix. Where MWAA refuses the change in place, no fix is offered: the migration needs a new
environment.
"""
    invalid = (Example(CFN.format(version="1.10.12", backend=NEW_BACKEND), None,
                       path="infra/mwaa.yaml", target="2.5.1", findings=((5, 24, 'the MWAA environment runs Airflow 1.10.12, but the DAGs are checked for 2.5.1: MWAA does not upgrade a 1.10 environment in place: create a new environment on the target and move the metadata and resources (export, then import)'),)),
               Example(CFN.format(version="2.5.1", backend=NEW_BACKEND), None,
                       path="infra/mwaa.yaml", target="3.0.6", findings=((5, 24, 'the MWAA environment runs Airflow 2.5.1 (a version MWAA no longer creates environments on), but the DAGs are checked for 3.0.6: MWAA upgrades to Airflow 3 in place only from the latest 2.11.x (2.11.2): upgrade in place to 2.11.2 first, or create a new 3.0.6 environment and move the metadata and resources'),)),
               Example(CFN.format(version="2.10.3", backend=NEW_BACKEND), CFN.format(version="2.11.2", backend=NEW_BACKEND),
                       path="infra/mwaa.yaml", target="2.11.2", findings=((5, 24, 'the MWAA environment runs Airflow 2.10.3, but the DAGs are checked for 2.11.2: MWAA upgrades or downgrades within a major version in place (the metadata database is snapshotted and restored; running tasks are stopped, the environment can be unavailable for up to two hours, a failure rolls back)'),)),
               Example(CFN.format(version="2.11.2", backend=NEW_BACKEND), CFN.format(version="3.3.1", backend=NEW_BACKEND),
                       path="infra/mwaa.yaml", target="3.3.1", findings=((5, 24, 'the MWAA environment runs Airflow 2.11.2, but the DAGs are checked for 3.3.1: MWAA upgrades or downgrades within a major version in place (the metadata database is snapshotted and restored; running tasks are stopped, the environment can be unavailable for up to two hours, a failure rolls back)'),)))
    valid = (Example(CFN.format(version="2.5.1", backend=NEW_BACKEND), path="infra/mwaa.yaml", target="2.5.1"),)


class LegacyCli(_ConfigRule):
    code = "DS407"
    name = "airflow-1-cli"
    message = "Airflow CLI command the target does not have"
    severity = ERROR
    fix = SOMETIMES
    doc = """
## What it does
Reports Airflow 1.10 CLI commands in shell scripts, Makefiles, Dockerfiles, CI YAML, and in MWAA
CLI-token calls made from Python (`create_cli_token` / `/aws_mwaa/cli` payloads): `airflow
list_dags`, `trigger_dag`, `initdb`, `resetdb`, `upgradedb`, `test`, `run`, `clear`, `pause`,
`worker`, ... (the one-to-one renames of the "Airflow CLI changes in 2.0" table of Airflow's
upgrade guide). On Airflow 3 targets also the 2.x commands the target's core CLI no longer has
(from each version's `cli_config.py`): `airflow webserver` (→ `api-server`), `db init` / `db
upgrade` (→ `db migrate`), `dags backfill` (→ `backfill create`), `tasks run`; a 1.10 command is
rewritten straight to its Airflow 3 successor.

## Why it matters on Airflow 2 and 3
Airflow 2 groups commands (`airflow dags trigger`); the old names fail with "invalid choice", so
deploy scripts and scheduled jobs break silently. Airflow 3 dropped more of them.

## Example
```shell
airflow trigger_dag nightly_reporting
```

## Fix safety
Safe: the command is rewritten (`airflow dags trigger nightly_reporting`). Options that changed
(`-sd` -> `-S`, snake_case -> kebab-case) are not rewritten; commands whose options changed shape
(`pool`, `variables`, `connections`) are not reported. On Airflow 3, `db init` / `db upgrade` →
`db migrate` is safe; a successor whose options changed (`webserver` → `api-server`, `dags
backfill` → `backfill create`) is an unsafe fix.
"""
    invalid = (Example("#!/bin/sh\nairflow trigger_dag nightly && airflow list_dags\n",
                       "#!/bin/sh\nairflow dags trigger nightly && airflow dags list\n", path="deploy.sh", findings=((2, 9, '`airflow trigger_dag` is `airflow dags trigger` on Airflow 2'), (2, 40, '`airflow list_dags` is `airflow dags list` on Airflow 2'))),
        Example("#!/bin/sh\nairflow initdb\nairflow webserver -p 8080\nairflow tasks run etl load 2024-01-01\n",
                        "#!/bin/sh\nairflow db migrate\nairflow api-server -p 8080\nairflow tasks run etl load 2024-01-01\n",
                        path="deploy.sh", target="3.0.6", findings=(
                            (2, 9, '`airflow initdb` is `airflow db migrate` on Airflow 3.0.6'),
                            (3, 9, '`airflow webserver` was removed in Airflow 3: use `airflow api-server` (its options changed: check them)'),
                            (4, 9, '`airflow tasks run` was removed in Airflow 3: 3.0.6 has no such command'))),
        Example('token = mwaa.create_cli_token(Name="etl")\nrequests.post(url, data="dags backfill -s 2024-01-01 etl")\n',
                'token = mwaa.create_cli_token(Name="etl")\nrequests.post(url, data="backfill create -s 2024-01-01 etl")\n',
                path="infra/run.py", target="3.0.6", findings=(
                    (2, 26, 'MWAA CLI command `dags backfill` was removed in Airflow 3: use `backfill create` (its options changed: check them)'),)))
    valid = (Example("#!/bin/sh\nairflow dags trigger nightly\n", path="deploy.sh"),
             Example("#!/bin/sh\nairflow backfill create --dag-id etl --from-date 2024-01-01\n", path="deploy.sh", target="3.0.6"))


class RestApiV1(_ConfigRule):
    code = "DS408"
    name = "rest-api-v1"
    message = "Airflow's REST API v1 is gone on Airflow 3"
    severity = ERROR

    @classmethod
    def applies_on(cls) -> Optional[list[str]]:
        from dagshift.linter.targets import is_airflow3, supported_targets

        return [t.airflow for t in supported_targets() if is_airflow3(t.airflow)]

    doc = """
## What it does
On Airflow 3 targets, reports URLs of Airflow's own REST API v1 (`/api/v1/dags`, `/dagRuns`,
`/variables`, `/connections`, `/pools`, `/taskInstances`...) and of the experimental API
(`/api/experimental/...`) in scripts, Python and configuration.

## Why it matters on Airflow 3
Airflow 3 serves its REST API as `/api/v2` (FastAPI) and removed v1 and the experimental API:
every call to them gets a 404, so the tools and DAGs that trigger runs or read state break. The
v2 endpoints are mostly the same resources with changed payloads (`logical_date`, no
`execution_date`); on MWAA, call them through `aws mwaa invoke-rest-api`.

## Example
```python
requests.post(f"{base}/api/v1/dags/etl/dagRuns", json={"conf": {}})
```

## Fix safety
None: the v2 payloads differ.
"""
    invalid = (Example('URL = "https://airflow.example.com/api/v1/dags/etl/dagRuns"\n', None, target="3.0.6",
                       findings=((1, 35, "`/api/v1/dags` is Airflow's REST API v1, which Airflow 3.0.6 no longer serves: use `/api/v2/dags` (payloads changed: `logical_date`, not `execution_date`; on MWAA, `aws mwaa invoke-rest-api`)"),)),)
    valid = (Example('URL = "https://airflow.example.com/api/v1/dags/etl/dagRuns"\n', target="2.11.0"),
             Example('URL = "https://k8s.example.com/api/v1/namespaces/default/pods"\n', target="3.0.6"))
