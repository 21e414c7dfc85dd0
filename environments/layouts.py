"""The layouts people copy, read from the files that show them: MWAA's local runner, an Astro
project, an Airflow image, docker-compose, the official Helm chart, a plain `dags/` folder; and the
deployable things that are not Airflow (a Lambda function, another Docker image)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterator, Optional

from dagshift.environments.tree import Tree, line_of, parent, resolve_local

AIRFLOW_IMPORT = re.compile(r"^[ \t]*(?:from|import)\s+airflow\b", re.M)
FROM_RE = re.compile(r"^[ \t]*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.M | re.I)
ASTRO_IMAGE = re.compile(r"(?:astro-runtime|astrocrpublic\.azurecr\.io/runtime|astronomer/ap-airflow)[:]?([\w.-]*)")
AIRFLOW_IMAGE = re.compile(r"apache/airflow:(?:v?)(\d+\.\d+\.\d+)|apache/airflow\b")
VERSION_IN_TAG = re.compile(r"(?:^|[:-])(\d+\.\d+\.\d+)")
LAMBDA_HANDLER = re.compile(r"^(?:async\s+)?def\s+\w+\(\s*event\b[^)]*?,\s*context\b", re.M)
DEV_NAME = re.compile(
    r"^(?:(?:requirements|reqs)[-_.])?(?:dev|devel|develop|development|test|tests|testing|lint|linting|docs?|local|ci|"
    r"tox|mypy|typing|style|format|pre-commit|precommit)(?:[-_.](?:requirements|reqs))?\.(?:txt|in)$")
AIRFLOW_REQUIREMENT = re.compile(
    r"^[ \t]*apache[-_.]airflow(?:[-_.]providers[-_.][\w-]+|[-_.]backport[-_.]providers[-_.][\w-]+)?\s*(?:\[|[=<>~!]|;|$)"
    r"|apache/airflow/constraints-|constraints-\d+\.\d+\.\d+/constraints", re.M | re.I)
PIP_LINE = re.compile(r"pip3?\s+install\b[^\n]*(?:\\\n[^\n]*)*")
CONSTRAINT_OPTION = re.compile(r"^[ \t]*(?:-c|--constraint)[\s=]+[\"']?([^\s\"']+)", re.M)
INCLUDE_OPTION = re.compile(r"^[ \t]*(?:-r|--requirement)[\s=]+[\"']?([^\s\"']+)", re.M)


@dataclass(frozen=True)
class Found:
    """One layout seen at `root`: its kind, platform, the roles it names and the evidence."""

    kind: str
    platform: str
    root: str
    path: str
    line: int
    text: str
    roles: tuple[tuple[str, str], ...] = ()  # (role, path)
    version: Optional[str] = None
    version_line: int = 0  # where the version is said, when not on `line` (a pin below the FROM)


def is_dev_requirements(path: str) -> bool:
    name = posixpath.basename(path).lower()
    folder = posixpath.basename(parent(path)).lower()
    return bool(DEV_NAME.match(name)) or (folder in ("requirements", "reqs") and DEV_NAME.match(f"requirements-{name}") is not None
                                          and name.split(".")[0] not in ("requirements", "prod", "base", "mwaa", "airflow"))


def is_constraints(path: str, text: str) -> bool:
    """A constraints file, by its name or by the header pip-tools and Airflow write in one."""
    return "constraint" in posixpath.basename(path).lower() or is_constraints_text(text)


def is_constraints_text(text: str) -> bool:
    head = "\n".join(text.splitlines()[:12]).lower()
    return "constraints file" in head or "constraint file" in head


def names_airflow(text: str) -> bool:
    return AIRFLOW_REQUIREMENT.search(text) is not None


def local_runner(tree: Tree) -> Iterator[Found]:
    for folder in sorted(tree.folders):
        prefix = "" if folder == "." else folder + "/"
        script = tree.has(prefix + "mwaa-local-env")
        shaped = tree.has(prefix + "requirements/requirements.txt") and tree.is_folder(prefix + "docker") \
            and tree.is_folder(prefix + "dags")
        if not (script or shaped):
            continue
        evidence_path = prefix + ("mwaa-local-env" if script else "docker")
        roles = [("dags", prefix + "dags"), ("plugins", prefix + "plugins"), ("image", prefix + "docker"),
                 ("requirements", prefix + "requirements/requirements.txt"),
                 ("startup", prefix + "startup_script/startup.sh")]
        version = None
        line, text = 0, "the local runner's layout: dags/, docker/, requirements/requirements.txt"
        for candidate in (prefix + "mwaa-local-env", prefix + "docker/Dockerfile", prefix + "docker/config/.env.localrunner"):
            m = re.search(r"AIRFLOW_VERSION[=\s:]+[\"']?(\d+\.\d+\.\d+)", tree.text(candidate)) if tree.has(candidate) else None
            if m:
                version = m.group(1)
                evidence_path, line, text = candidate, line_of(tree.text(candidate), m.start()), m.group(0).strip()
                break
        yield Found("mwaa-local-runner", "mwaa", folder, evidence_path, line, text,
                    tuple((r, p) for r, p in roles if tree.has(p) or tree.is_folder(p)), version)


def dockerfiles(tree: Tree) -> Iterator[Found]:
    """An Astro project or an Airflow image per Dockerfile whose FROM (or content) is Airflow; any other
    Dockerfile is a non-Airflow image (kind `docker-image`)."""
    for path in tree.paths:
        name = posixpath.basename(path).lower()
        if not (name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile")):
            continue
        text = tree.text(path)
        froms = list(FROM_RE.finditer(text))
        if not froms:
            continue
        last = froms[-1]
        image, line = last.group(1), line_of(text, last.start())
        folder = parent(path)
        astro = ASTRO_IMAGE.search(image)
        if astro:
            prefix = "" if folder == "." else folder + "/"
            roles = [(r, prefix + p) for r, p in (("dags", "dags"), ("plugins", "plugins"), ("include", "include"),
                                                 ("requirements", "requirements.txt"), ("config", "airflow_settings.yaml"))]
            yield Found("astro", "astro", folder, path, line, f"FROM {image}",
                        tuple((r, p) for r, p in roles if tree.has(p) or tree.is_folder(p)))
            continue
        official = AIRFLOW_IMAGE.search(image)
        if official or "apache-airflow" in text or "AIRFLOW_HOME" in text:
            version = official.group(1) if official and official.group(1) else None
            if version is None and official:
                tag = VERSION_IN_TAG.search(image.partition(":")[2])
                version = tag.group(1) if tag else None
            roles = []
            for m in re.finditer(r"(?:^|\s)(?:-r|--requirement)[\s=]+[\"']?([^\s\"'&;]+)", " ".join(PIP_LINE.findall(text))):
                local = _copied(tree, folder, text, m.group(1))
                if local and ("requirements", local) not in roles:
                    roles.append(("requirements", local))
            pinned_at = 0
            if version is None:  # Airflow installed by pip in the image: its pin
                pin = re.search(r"apache-airflow(?:\[[^\]]*\])?==(\d+\.\d+\.\d+)", text)
                version, pinned_at = (pin.group(1), line_of(text, pin.start())) if pin else (None, 0)
            yield Found("airflow-image", "self-managed", folder, path, line, f"FROM {image}", tuple(roles), version,
                        pinned_at)
        else:
            yield Found("docker-image", "", folder, path, line, f"FROM {image}")


def _copied(tree: Tree, folder: str, text: str, inside_image: str) -> Optional[str]:
    """The local file a Dockerfile COPYs to where `pip install -r` reads it (matched by name)."""
    name = posixpath.basename(inside_image)
    for m in re.finditer(r"^[ \t]*(?:COPY|ADD)\s+(?:--\S+\s+)*(.+)$", text, re.M | re.I):
        for source in m.group(1).split()[:-1]:
            if posixpath.basename(source.rstrip("/")) == name or source.rstrip("/") in (".", "./"):
                found = resolve_local(tree, folder, source if posixpath.basename(source) == name else name)
                if found and tree.has(found):
                    return found
    return None


COMPOSE_NAME = re.compile(r"^(?:docker-)?compose[\w.-]*\.ya?ml$")
VOLUME_RE = re.compile(r"^[ \t]*-\s*[\"']?(\.{1,2}/[^:\"'\s]*|\$\{[^}]+\}/[^:\"'\s]*):(/[^:\"'\s]+)", re.M)


def compose(tree: Tree) -> Iterator[Found]:
    for path in tree.paths:
        if not COMPOSE_NAME.match(posixpath.basename(path).lower()):
            continue
        text = re.sub(r"(?m)^[ \t]*#.*$", "", tree.text(path))  # (a comment line empties: every line keeps its number)
        image = re.search(r"apache/airflow:(?:v?)(\d+\.\d+\.\d+)[\w.-]*|apache/airflow\b|/opt/airflow/dags|"
                          r"/usr/local/airflow/dags|AIRFLOW__CORE__DAGS_FOLDER|AIRFLOW_HOME", text)
        if not image:
            continue
        folder = parent(path)
        roles = _mounted_home(tree, folder, text)
        for m in re.finditer(r"^[ \t]*(build|context|dockerfile):[ \t]*[\"']?([\w.][^\s\"']*)", text, re.M):
            built = resolve_local(tree, folder, m.group(2), root_fallback=False)
            if built and m.group(1) == "dockerfile" and tree.has(built):
                built = parent(built)
            if built and tree.is_folder(built) and built != folder:
                roles.append(("build", built))  # the image it builds: the same environment
        for m in VOLUME_RE.finditer(text):
            source = re.sub(r"^\$\{[^}]+\}/", "./", m.group(1))
            local = resolve_local(tree, folder, source)
            target = m.group(2).rstrip("/")
            if local is None:
                continue
            if target.endswith("/dags"):
                roles.append(("dags", local))
            elif target.endswith("/plugins"):
                roles.append(("plugins", local))
            elif target.endswith(".cfg") or target.endswith("/config"):
                roles.append(("config", local))
            elif target.endswith(".txt") and tree.has(local):
                roles.append(("requirements", local))
        version = image.group(1) if image.lastindex else None
        yield Found("docker-compose", "self-managed", folder, path, line_of(text, image.start()),
                    image.group(0), tuple(roles), version)


def _mounted_home(tree: Tree, folder: str, text: str) -> list[tuple[str, str]]:
    """The DAGs folder and airflow.cfg of a mounted AIRFLOW_HOME (`./airflow:/airflow` with
    `AIRFLOW_HOME: /airflow` or `AIRFLOW__CORE__DAGS_FOLDER: /airflow/dags`)."""
    home = re.search(r"AIRFLOW_HOME[\"']?\s*[:=]\s*[\"']?(/[\w./-]+)", text)
    dags = re.search(r"AIRFLOW__CORE__DAGS_FOLDER[\"']?\s*[:=]\s*[\"']?(/[\w./-]+)", text)
    wanted = [("dags", dags.group(1).rstrip("/"))] if dags else []
    if home:
        wanted += [("dags", home.group(1).rstrip("/") + "/dags"), ("config", home.group(1).rstrip("/") + "/airflow.cfg")]
    found: list[tuple[str, str]] = []
    for m in VOLUME_RE.finditer(text):
        mount = m.group(2).rstrip("/")
        local = resolve_local(tree, folder, re.sub(r"^\$\{[^}]+\}/", "./", m.group(1)))
        for role, inside_path in wanted:
            if local is None or not (inside_path + "/").startswith(mount + "/") or any(r == role for r, _ in found):
                continue
            candidate = posixpath.normpath(posixpath.join(local, inside_path[len(mount):].lstrip("/")))
            if tree.is_folder(candidate) if role == "dags" else tree.has(candidate):
                found.append((role, candidate))
    return found


def helm(tree: Tree) -> Iterator[Found]:
    """Values for the official chart: `defaultAirflowTag`/`airflowVersion`, an `images.airflow.tag`,
    and the folder a `dags.gitSync.subPath` syncs (a path of this repository, when it is one)."""
    for path in tree.paths:
        name = posixpath.basename(path).lower()
        if not (name.startswith("values") and name.endswith((".yaml", ".yml"))):
            continue
        text = tree.text(path)
        version = re.search(r"^[ \t]*(?:defaultAirflowTag|airflowVersion):\s*[\"']?(\d+\.\d+\.\d+)", text, re.M) or \
            re.search(r"^[ \t]*airflow:\s*\n(?:[ \t]+\w+:.*\n)*?[ \t]+tag:\s*[\"']?(\d+\.\d+\.\d+)", text, re.M)
        sync = re.search(r"^[ \t]*subPath:\s*[\"']?([\w./-]+)", text, re.M) if "gitSync" in text else None
        if version is None and sync is None:
            continue
        roles: list[tuple[str, str]] = [("infrastructure", path)]
        if sync and tree.is_folder(sync.group(1).strip("/")):
            roles.append(("dags", sync.group(1).strip("/")))
        shown = version or sync
        assert shown is not None
        yield Found("helm", "self-managed", parent(path), path, line_of(text, shown.start()), shown.group(0).strip(),
                    tuple(roles), version.group(1) if version else None)


def lambdas(tree: Tree) -> Iterator[Found]:
    """Folders holding an AWS Lambda function: a handler `def f(event, context)`, or the folder a
    SAM/CloudFormation `CodeUri`, a Terraform `source_dir` or a CDK `Code.from_asset` names."""
    for path in tree.paths:
        lower = path.lower()
        if lower.endswith(".py") and "context" in tree.text(path):
            text = tree.text(path)
            m = LAMBDA_HANDLER.search(text)
            if m and not AIRFLOW_IMPORT.search(text):
                yield Found("lambda", "", parent(path), path, line_of(text, m.start()), m.group(0).strip())
        elif lower.endswith((".yaml", ".yml", ".json", ".tf", ".ts", ".py")):
            text = tree.text(path)
            if "Lambda" not in text and "lambda" not in text:
                continue
            for m in re.finditer(r"""(?:CodeUri|source_dir|Code\.from_?[aA]sset\()\s*[:=(]?\s*["']?([^"'\s,)]+)""", text):
                local = resolve_local(tree, parent(path), m.group(1))
                if local and tree.is_folder(local) and local != ".":
                    yield Found("lambda", "", local, path, line_of(text, m.start()), m.group(0).strip())


def dags_folders(tree: Tree, names: tuple[str, ...], exact: tuple[str, ...]) -> Iterator[Found]:
    """A folder named like a DAGs folder (or configured as one) holding Python that imports Airflow."""
    for folder in sorted(tree.folders):
        if folder == "." or not (posixpath.basename(folder) in names or folder in exact):
            continue
        # The configured DAGs folders (`dags-dirs`, `dags` at the root by default) need only hold files
        # (YAML DAGs and templates too); a folder elsewhere merely named so must show a DAG importing Airflow.
        if folder in exact and tree.under(folder):
            yield Found("dags-folder", "unknown", parent(folder), tree.under(folder)[0], 0, "the configured DAGs folder",
                        (("dags", folder),))
            continue
        for path in tree.under(folder):
            if path.endswith(".py") and AIRFLOW_IMPORT.search(tree.text(path)):
                yield Found("dags-folder", "unknown", parent(folder), path, 0, "a DAG file in a DAGs folder",
                            (("dags", folder),))
                break


BARE_PIN = re.compile(r"[ \t]*apache[-_.]airflow[ \t]*(?:[=<>~!][^\n]*)?", re.I)


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def requirement_files(tree: Tree, dags_names: tuple[str, ...] = ("dags",)) -> Iterator[Found]:
    """A requirements file that installs Airflow or its providers: an environment's (not a tool's)."""
    for path in tree.paths:
        name = posixpath.basename(path).lower()
        if not ((name.startswith("requirements") and name.endswith(".txt")) or
                (parent(path).endswith("requirements") and name.endswith(".txt"))):
            continue
        if is_dev_requirements(path):
            continue
        text = re.sub(r"(?m)^[ \t]*#.*$", "", tree.text(path))  # a commented line is no evidence
        if is_constraints(path, tree.text(path)):
            continue
        # A bare `apache-airflow==X` pin is a tool's or a test's (an environment's requirements name
        # providers, extras or Airflow's constraints; an image's are found from its Dockerfile).
        m = next((m for m in AIRFLOW_REQUIREMENT.finditer(text) if not BARE_PIN.fullmatch(_line_at(text, m.start()))), None)
        if m:
            folder = parent(path)
            root = parent(folder) if posixpath.basename(folder) == "requirements" else folder
            parts = path.split("/")[:-1]
            for i, part in reversed(list(enumerate(parts))):  # below a DAGs folder: that folder's environment
                if part in dags_names:
                    root = "/".join(parts[:i]) or "."
                    break
            pin = re.search(r"^[ \t]*apache[-_.]airflow(?:\[[^\]]*\])?\s*==\s*(\d+\.\d+\.\d+)", text, re.M | re.I) or \
                re.search(r"constraints-(\d+\.\d+\.\d+)/", text)
            yield Found("requirements", "unknown", root, path, line_of(text, m.start()),
                        text[m.start():].splitlines()[0].strip()[:100] if text[m.start():] else "",
                        (("requirements", path),), pin.group(1) if pin else None)
