"""DS300-DS307, DS309: requirements.txt as MWAA's pip will install it on the target version.

The analysis lives in rules/requirements/analysis.py; these classes declare the rules.
"""

from __future__ import annotations

from typing import Any

from dagshift.environments.model import REQUIREMENTS
from dagshift.linter.rule import ERROR, SAFE, UNSAFE, WARNING, Example, FamilyRule

REQ = "requirements.txt"
URL_251 = "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"
URL_2112 = "https://raw.githubusercontent.com/apache/airflow/constraints-2.11.2/constraints-3.12.txt"
# A DAG whose imports need a provider (the file DS305 reads beside requirements.txt).
SLACK_DAG = "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator\n"


class _RequirementsRule(FamilyRule):
    kinds = frozenset({"requirements"})
    project_kinds = frozenset({"requirements"})
    roles = frozenset({REQUIREMENTS})  # an environment's requirements, never a Lambda's or a lock file

    def collect_project(self, project: Any) -> None:
        if project.settings.online and "online_constraints" not in project.facts:
            from dagshift.rules.requirements.analysis import collect_online

            collect_online(project)

    def analyse(self, ctx: Any) -> Any:
        from dagshift.rules.requirements.analysis import analyse

        return analyse(ctx).findings


class UnreadableRequirement(_RequirementsRule):
    code = "DS300"
    name = "requirement-unreadable"
    message = "pip cannot read this line: {reason}"
    severity = ERROR
    doc = """
## What it does
Reports a requirements line pip cannot parse (a bad version specifier, an unknown option, an
option without its value, unbalanced quotes) and a broken `-r` chain (a file that includes itself,
or an included file that cannot be read).

## Why it matters on Airflow 2
MWAA runs `pip install -r requirements.txt` on every scheduler and worker; one unreadable line
fails the whole install and the environment update, hours after the commit.

## Example
```text
boto3=1.26.0
```

## Fix safety
None: the line's intent is unknown. `boto3==1.26.0` is probably what was meant.
"""
    valid = (Example(f'--constraint "{URL_251}"\nboto3\n', path=REQ, target="2.5.1"),)
    invalid = (Example(f'--constraint "{URL_251}"\nboto3=1.26.0\n', path=REQ, target="2.5.1", findings=((2, 1, 'pip cannot read this line: Expected semicolon (after name with no version specifier) or end'),)),)


class MissingConstraint(_RequirementsRule):
    code = "DS301"
    name = "missing-constraint"
    message = "no `--constraint` line"
    severity = ERROR
    fix = SAFE

    @classmethod
    def severities(cls, target: str) -> tuple[str, ...]:
        from dagshift.rules.requirements.severity import on_target

        return on_target(target) if cls.applies(target) else ()
    doc = """
## What it does
Reports an environment's requirements file (`requirements.txt`, or one that lists Airflow
packages) with no `--constraint` line, here or in a file it includes with `-r`; and, from MWAA
2.7.2, a constraint written in a form MWAA does not recognise (`--constraint=URL`, `-cURL`). Only
files of an Airflow environment are read (`dagshift environments`): a Lambda's, a Docker task
image's or a developer lock file is not; in an environment of another platform than MWAA (an
image built `FROM apache/airflow`, Astro, Composer) nothing adds constraints, so a missing line is
an error whatever the version.

## Why it matters on Airflow 2
Without constraints pip picks the newest versions of everything, including packages that
upgrade or break Airflow itself. MWAA documents the constraint line as required. From 2.7.2 MWAA
adds one itself when it finds none (a warning then, not an error); it decides that by looking for
`-c ` or `--constraint ` with a space, so `--constraint=URL` is not seen and both apply.

## Example
```text
boto3
apache-airflow-providers-amazon
```
Use instead (MWAA 2.5.1):
```text
--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"
boto3
apache-airflow-providers-amazon
```

## Fix safety
Safe: inserts `--constraint "<url>"` for the target's Airflow version and the Python version MWAA
pairs with it (or `python-version`) before the first line that is not a comment; rewrites
`--constraint=URL` as `--constraint "URL"`.
"""
    valid = (Example(f'--constraint "{URL_251}"\nboto3\n', path=REQ, target="2.5.1"),)
    invalid = (
        Example("# DAG dependencies\nboto3\n", f'# DAG dependencies\n--constraint "{URL_251}"\nboto3\n',
                path=REQ, target="2.5.1", files=(("dags/etl.py", "from airflow import DAG\n"),), findings=((2, 1, 'no `--constraint` line: pip may upgrade Airflow or pick provider versions that break Airflow 2.5.1'),)),
        Example(
            "--constraint=https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt\nboto3\n",
            '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"\nboto3\n',
            path=REQ, target="2.10.3", findings=((1, 1, 'MWAA 2.10.3 looks for `-c ` or `--constraint ` followed by a space: it does not see this line and adds its own constraints as well'),)),
        # An image's own pip adds no constraints, whatever the version: an error.
        Example("boto3\n", f'--constraint "{URL_2112}"\nboto3\n', path=REQ, target="2.11.2", files=(
            ("Dockerfile", "FROM apache/airflow:2.11.2-python3.11\nCOPY requirements.txt /requirements.txt\n"
                           "RUN pip install -r /requirements.txt\n"),
            ("dags/etl.py", "from airflow import DAG\n"),
        ), findings=((1, 1, 'no `--constraint` line: pip may upgrade Airflow or pick provider versions that break Airflow 2.11.2'),)),
    )


class ConstraintVersion(_RequirementsRule):
    code = "DS302"
    name = "constraint-version-mismatch"
    message = "constraint file is for another Airflow or Python version"
    severity = ERROR
    fix = SAFE
    doc = """
## What it does
Reports a constraint URL of the form `.../constraints-<airflow>/constraints-<python>.txt` whose
Airflow or Python version is not the target's. A local constraint file (MWAA's documented way to
use newer providers, e.g. `/usr/local/airflow/dags/constraints.txt`) is accepted as it is.

## Why it matters on Airflow 2
The 1.10.12 constraints pin Airflow 1.10.12 and its dependencies: pip either downgrades the
environment or fails to resolve. A constraint file for another Python pins wheels that may not
exist for the environment's interpreter.

## Example
```text
--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-1.10.12/constraints-3.7.txt"
```

## Fix safety
Safe: the URL is rewritten to the target's Airflow version and Python version.
"""
    valid = (Example('--constraint "/usr/local/airflow/dags/constraints.txt"\nboto3\n', path=REQ, target="2.5.1"),)
    invalid = (
        Example(
            '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-1.10.12/constraints-3.7.txt"\n',
            f'--constraint "{URL_251}"\n', path=REQ, target="2.5.1", findings=((1, 14, 'constraint file is for Airflow 1.10.12 / Python 3.7, the target is Airflow 2.5.1 / Python 3.10'),)),
    )


class AirflowListed(_RequirementsRule):
    code = "DS303"
    name = "airflow-in-requirements"
    message = "`apache-airflow` must not be installed on MWAA"
    severity = ERROR
    fix = SAFE
    doc = """
## What it does
Reports `apache-airflow` itself in the requirements file of an MWAA environment, pinned to another
version or unpinned (a line with 1.10 extras is DS306). An environment dagshift sees is another
platform's (an image built `FROM apache/airflow`, Astro, Composer: `dagshift environments`) is not
reported: its image installs Airflow from that line.

## Why it matters on Airflow 2
MWAA provides Airflow. A different pin conflicts with the image (from 2.9.2 MWAA's protected
packages make the install fail); an unpinned one has silently upgraded environments and broken
them. 1.10 style `apache-airflow[aws]==1.10.12` lines are common in repositories moved from MWAA 1.10.

## Example
```text
apache-airflow==1.10.12
```

## Fix safety
Safe: the line is removed.
"""
    invalid = (
        Example(f'--constraint "{URL_251}"\napache-airflow==1.10.12\nboto3\n', f'--constraint "{URL_251}"\nboto3\n',
                path=REQ, target="2.5.1", findings=((2, 1, '`apache-airflow` (==1.10.12) must not be installed on MWAA: the environment provides Airflow 2.5.1, and pip would replace or conflict with it'),)),
    )
    valid = (Example(f'--constraint "{URL_251}"\napache-airflow-providers-amazon\nboto3\n', path=REQ, target="2.5.1"),)


class BackportProvider(_RequirementsRule):
    code = "DS304"
    name = "backport-provider"
    message = "backport provider; use the Airflow 2 provider"
    severity = ERROR
    fix = SAFE
    doc = """
## What it does
Reports `apache-airflow-backport-providers-<x>`, the packages that brought provider code to Airflow
1.10 (MWAA 1.10.12 users were steered to them).

## Why it matters on Airflow 2
Backport providers require `apache-airflow~=1.10`: pip cannot install them next to Airflow 2, so
the whole requirements install fails.

## Example
```text
apache-airflow-backport-providers-amazon==2021.3.3
```

## Fix safety
Safe: renamed to `apache-airflow-providers-<x>` without the backport version (the constraint file
pins the provider); removed when the file already requires that provider.
"""
    invalid = (
        Example(f'--constraint "{URL_251}"\napache-airflow-backport-providers-amazon==2021.3.3\n',
                f'--constraint "{URL_251}"\napache-airflow-providers-amazon\n', path=REQ, target="2.5.1", findings=((2, 1, '`apache-airflow-backport-providers-amazon` is a backport provider for Airflow 1.10 (it requires apache-airflow~=1.10); use `apache-airflow-providers-amazon`'),)),
    )
    valid = (Example(f'--constraint "{URL_251}"\napache-airflow-providers-amazon\n', path=REQ, target="2.5.1"),)


class MissingProvider(_RequirementsRule):
    def collect_project(self, project: Any) -> None:
        super().collect_project(project)
        from dagshift.rules.requirements.analysis import collect_repository_providers

        collect_repository_providers(project)

    code = "DS305"
    name = "missing-provider"
    message = "provider needed by the imports is not required"
    severity = ERROR
    fix = SAFE
    reads_records = frozenset({"providers"})
    doc = """
## What it does
Reports a provider distribution that the Python files checked in the same run import, directly
or through the import fixes of DS101-DS104, but that the requirements file MWAA installs does
not list.

## Why it matters on Airflow 2
On Airflow 2 operators and hooks live in provider packages. A DAG that imports
`airflow.providers.slack...` without `apache-airflow-providers-slack` installed is a "Broken DAG".
Providers the environment already has are not reported: those apache-airflow itself requires on
the target (ftp, http, imap, sqlite; common-sql from 2.3, fab and smtp later; from each wheel's
METADATA) and those MWAA's image adds (amazon, celery, postgres). Listing them too is harmless
with the constraint file.

## Example
A DAG with `from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator` and a
requirements.txt without `apache-airflow-providers-slack`.

Besides the files checked in the run, the DAG and plugin folders (`dags-dirs`, `plugins-dirs`)
are read for their import lines, so a pre-commit run that only touches `requirements.txt` still
knows what the DAGs need.

## Fix safety
Safe: appends the missing distributions, unpinned (the constraint file pins them).
"""
    invalid = (Example(f'--constraint "{URL_251}"\nboto3\n', f'--constraint "{URL_251}"\nboto3\napache-airflow-providers-slack\n',
                path=REQ, target="2.5.1", files=(("dags/alerts.py", SLACK_DAG),), findings=((1, 1, '`apache-airflow-providers-slack` is needed by dags/alerts.py but not required'),)),)
    valid = (Example(f'--constraint "{URL_251}"\napache-airflow-providers-slack\n', path=REQ, target="2.5.1",
                         files=(("dags/alerts.py", SLACK_DAG),)),)


class ExtraToProvider(_RequirementsRule):
    code = "DS306"
    name = "airflow-extra-to-provider"
    message = "`apache-airflow[...]`: the extras are providers on Airflow 2"
    severity = ERROR
    fix = SAFE
    doc = """
## What it does
Reports an `apache-airflow[...]` line of an MWAA environment's requirements (one finding for the
line; not in another platform's image, as DS303), naming for each extra the
provider distributions it became on the target (read from the target wheel's METADATA; 1.10
extras Airflow 2 dropped, such as `emr`, map to the provider that took over their libraries). An
extra that installs no provider on the target (`crypto`) is a note in the message.

## Why it matters on Airflow 2
MWAA provides Airflow, so the line must go (as DS303 says of a plain `apache-airflow` line); but
in Airflow 2 the hooks and operators an extra used to enable live in provider packages, and
removing the line without adding them breaks every DAG that imports them.

## Example
```text
apache-airflow[gcp]==1.10.12
```
becomes `apache-airflow-providers-google`.

## Fix safety
Safe: the line is replaced by the providers, unpinned (the constraint file pins them), its
trailing comment kept; providers the file already requires (or that DS305 would add) are written
once.
"""
    invalid = (
        Example(f'--constraint "{URL_251}"\napache-airflow[gcp,crypto]==1.10.12\n',
                f'--constraint "{URL_251}"\napache-airflow-providers-google\n', path=REQ, target="2.5.1", findings=((2, 1, '`apache-airflow[crypto,gcp]` (==1.10.12) must not be installed on MWAA: the environment provides Airflow 2.5.1, and pip would replace or conflict with it; its extras are providers on Airflow 2.5.1: `gcp` → apache-airflow-providers-google (`crypto` installs nothing on Airflow 2.5.1)'),)),
        Example(
            f'--constraint "{URL_251}"\napache-airflow[aws,slack]==1.10.12  # MWAA 1.10\n',
            f'--constraint "{URL_251}"\napache-airflow-providers-amazon\napache-airflow-providers-slack  # MWAA 1.10\n',
            path=REQ, target="2.5.1", findings=((2, 1, '`apache-airflow[aws,slack]` (==1.10.12) must not be installed on MWAA: the environment provides Airflow 2.5.1, and pip would replace or conflict with it; its extras are providers on Airflow 2.5.1: `aws` → apache-airflow-providers-amazon, `slack` → apache-airflow-providers-slack'),)),
        # The DAGs need slack too (DS305): the provider is written once.
        Example(f'--constraint "{URL_251}"\napache-airflow[slack]==1.10.12\n',
                f'--constraint "{URL_251}"\napache-airflow-providers-slack\n', path=REQ, target="2.5.1",
                files=(("dags/alerts.py", SLACK_DAG),), findings=((2, 1, '`apache-airflow[slack]` (==1.10.12) must not be installed on MWAA: the environment provides Airflow 2.5.1, and pip would replace or conflict with it; its extras are providers on Airflow 2.5.1: `slack` → apache-airflow-providers-slack'),)),
    )
    valid = (Example(f'--constraint "{URL_251}"\napache-airflow-providers-google\n', path=REQ, target="2.5.1"),)


class PinConflict(_RequirementsRule):
    code = "DS307"
    name = "pin-conflicts-with-constraints"
    message = "pin conflicts with the constraint file"
    severity = ERROR
    fix = UNSAFE
    doc = """
## What it does
Reports a version specifier that excludes the version the target's constraint file pins (the
online copy with `--online`, a local constraint file the requirements name, or the bundled copy of
the file MWAA uses), and, from MWAA 2.9.2, one that excludes a version of MWAA's protected packages.

## Why it matters on Airflow 2
`requests==2.25.1` next to constraints that pin `requests==2.28.2` makes pip stop with "Cannot
install ... because these package versions have conflicting dependencies": the environment update
fails.

## Example
```text
--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"
requests==2.25.1
```

## Fix safety
Unsafe: drops the version specifier so the constraint file decides; your code may have relied on
the old version.
"""
    invalid = (
        Example(f'--constraint "{URL_251}"\nrequests==2.25.1\n', f'--constraint "{URL_251}"\nrequests\n',
                path=REQ, target="2.5.1", findings=((2, 9, "`requests==2.25.1` conflicts with Airflow 2.5.1's constraints, which pin `requests==2.28.2`: pip will refuse to install the file"),)),
    )
    valid = (Example(f'--constraint "{URL_251}"\nrequests>=2.20\n', path=REQ, target="2.5.1"),)


class ConstraintFetch(_RequirementsRule):
    code = "DS309"
    name = "constraint-fetch-failed"
    message = "could not fetch the constraint file"
    severity = WARNING
    doc = """
## What it does
With `--online`, reports a constraint URL that could not be fetched (no answer within 10 s, an HTTP
error, a response over 5 MB or without pins, a plain-http URL that is not a loopback address).

## Why it matters on Airflow 2
The file was checked against the bundled copy of the target's constraints instead, which may differ
from what the URL serves.

## Example
`--constraint "https://mirror.example.com/constraints.txt"` while the mirror is down.

## Fix safety
None. Check the URL, or run without `--online` to use the bundled constraints.
"""
