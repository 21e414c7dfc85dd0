"""From a repository's files to its environments: gather the evidence, merge it by root folder,
then give every file its environment and role, or the reason it belongs to none."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any, Iterable, Optional

import dagshift.environments.infra as infra
import dagshift.environments.layouts as layouts
from dagshift.environments.model import Environment, Evidence, Model
from dagshift.environments.tree import Tree, depth, holding_unit, inside, join, parent

# The evidence for a DAG file no environment folder holds (`dagshift environments` shows a root of them as `dags: ./`).
ORPHAN_DAG = "a DAG file no deployment names"

PLATFORM_NAMES = {"mwaa": "Amazon MWAA", "astro": "Astronomer", "composer": "Cloud Composer",
                  "self-managed": "self-managed Airflow", "unknown": "Airflow"}
VERSION_STRENGTH = {"declared": 6, "mwaa-infrastructure": 5, "composer-infrastructure": 5, "mwaa-local-runner": 4,
                    "airflow-image": 3, "docker-compose": 3, "helm": 3, "requirements": 1}



class _Finder:
    def __init__(self, tree: Tree, dags_dirs: Iterable[str], plugins_dirs: Iterable[str]) -> None:
        self.tree = tree
        self.by_root: dict[str, Environment] = {}
        self.units: dict[str, Evidence] = {}  # folders of deployable things that are not Airflow
        self.merges: list[tuple[str, str]] = []  # (into, from): roots that are one environment
        self.unattached: list[tuple[infra.Declaration, list[infra.Upload]]] = []  # declarations with no DAGs found
        self.dags_names = tuple(sorted({posixpath.basename(d.rstrip("/")) for d in dags_dirs} | {"dags"}))
        self.dags_exact = tuple(d.strip("/") for d in dags_dirs)
        self.plugins_dirs = tuple(p.strip("/") for p in plugins_dirs)

    def env_at(self, root: str) -> Environment:
        env = self.by_root.get(root)
        if env is None:
            env = self.by_root[root] = Environment(root=root)
        return env

    def take(self, found: layouts.Found) -> None:
        env = self.env_at(found.root)
        evidence = Evidence(found.kind.replace("-", " "), found.path, found.line, found.text)
        env.note(found.kind, evidence, found.platform if found.platform != "unknown" else None)
        for role, path in found.roles:
            if role == "build":  # docker-compose builds the image there: one environment
                self.merges.append((found.root, path))
            else:
                env.add(role, path)
        if found.version:
            said = evidence if not found.version_line else Evidence(
                found.kind.replace("-", " "), found.path, found.version_line,
                self.tree.text(found.path).splitlines()[found.version_line - 1].strip()[:100])
            env.set_version(found.version, said, VERSION_STRENGTH.get(found.kind, 0))

    def declaration(self, decl: infra.Declaration, uploads: list[infra.Upload]) -> None:
        tree = self.tree
        values = {role: value for role, (value, _) in decl.values.items()}
        dags: Optional[str] = None
        used: list[infra.Upload] = []
        if decl.platform == "composer":
            found = [u for u in uploads if u.scheme == "gs" and (u.dest == "dags" or u.dest.endswith("/dags")
                                                                 or u.dest.endswith("dags"))]
            if found:
                dags, used = found[0].local, [found[0]]
        elif "dags" in values:
            up = infra.mapped(tree, values["dags"], uploads, want_folder=True)
            if up is not None:
                dags, used = up.local, [up]
            else:
                dags = self._nearest_folder(posixpath.basename(values["dags"].strip("/")), decl.path)
        if dags is None:  # no DAG folder it reads is in the repository (a module, or a declaration elsewhere)
            self.unattached.append((decl, uploads))
            return
        self.attach(decl, uploads, parent(dags), dags, used)

    def attach(self, decl: infra.Declaration, uploads: list[infra.Upload], root: str, dags: Optional[str],
               used: list[infra.Upload]) -> None:
        tree = self.tree
        values = {role: value for role, (value, _) in decl.values.items()}
        kind = f"{decl.platform}-infrastructure"
        env = self.env_at(root)
        evidence = Evidence(f"{PLATFORM_NAMES[decl.platform]} environment {decl.name}", decl.path, decl.line, decl.text)
        env.note(kind, evidence, decl.platform)
        env.add("infrastructure", decl.path)
        for path in decl.files:
            env.add("infrastructure", path)
        if dags:
            env.add("dags", dags)
        for role in ("requirements", "plugins", "startup"):
            if role not in values:
                continue
            up = infra.mapped(tree, values[role], uploads, want_folder=False)
            local = up.local if up else self._nearest_file(values[role], root, env.dags)
            if role == "plugins" and local is None and tree.is_folder(join(root, "plugins")):
                local = join(root, "plugins")  # plugins.zip is built from it
            if up:
                used.append(up)
            if local:
                env.add(role, local)
        for up in used:
            env.note(kind, Evidence(f"uploaded to {up.scheme}://…/{up.dest}", up.path, up.line, up.text))
            if up.path not in env.infrastructure:
                env.add("infrastructure", up.path)
        if "version" in values:
            version, line = decl.values["version"]
            shown = tree.text(decl.path).splitlines()[line - 1].strip()[:100]
            env.set_version(version, Evidence(f"{decl.name} runs Airflow {version}", decl.path, line, shown),
                            VERSION_STRENGTH[kind])

    def _nearest_folder(self, name: str, near: str) -> Optional[str]:
        """The DAGs folder an S3 path names when no upload says which: the one folder of that name
        under the closest ancestor of `near` that holds any; None when that is not a single one."""
        found = [f for f in self.tree.folders if posixpath.basename(f) == name and self._holds_dags(f)]
        folder = parent(near)
        while True:
            here = [f for f in found if inside(f, folder)]
            if here:
                return here[0] if len(here) == 1 else None
            if folder == ".":
                return None
            folder = parent(folder)

    def _nearest_file(self, key: str, root: str, dags: list[str]) -> Optional[str]:
        """The file an S3 key names when no upload says which: at that path below the environment's
        root, or by its name in the root, its requirements/ folder or a DAGs folder; never elsewhere
        (a requirements.txt elsewhere is more often a Lambda's or a tool's)."""
        key, name = key.strip("/"), posixpath.basename(key.strip("/"))
        spots = [join(root, key), join(root, name), join(root, "requirements", name), *(join(d, name) for d in dags)]
        return next((p for p in spots if self.tree.has(p) and not layouts.is_dev_requirements(p)), None)

    def _holds_dags(self, folder: str) -> bool:
        return any(p.endswith(".py") and layouts.AIRFLOW_IMPORT.search(self.tree.text(p)) for p in self.tree.under(folder))

    def run(self) -> None:
        """Strongest evidence first: infrastructure, then the layouts, then what fills the gaps."""
        declarations, uploads = infra.declarations_and_uploads(self.tree)
        names = infra.bucket_names(self.tree) if declarations else {}
        for decl in declarations:
            self.declaration(decl, infra.for_declaration(decl, uploads, names, declarations))
        self._layouts()
        self._configs_and_merges()
        # A declaration whose DAGs were not found belongs to the one environment that holds its file,
        # or to the repository's only one; otherwise (a Terraform module, no DAGs here) to none.
        found_roots = list(self.by_root)  # (not those the loop creates: dev and prod are two)
        chosen: dict[int, Optional[str]] = {}
        for i, (decl, _) in enumerate(self.unattached):
            holders = [r for r in found_roots if inside(decl.path, r)]
            roots = [max(holders, key=depth)] if holders else found_roots
            chosen[i] = roots[0] if len(roots) == 1 else None
        folders: dict[Optional[str], set[str]] = {}
        for i, root in chosen.items():
            folders.setdefault(root, set()).add(parent(self.unattached[i][0].path))
        for i, (decl, ups) in enumerate(self.unattached):
            root = chosen[i]
            if root is not None and len(folders[root]) == 1:
                self.attach(decl, ups, root, None, [])
            elif decl.concrete:  # declared here, its DAGs elsewhere; or one of several (dev and prod)
                self.attach(decl, ups, parent(decl.path), None, [])
        self._orphan_dags()
        self._defaults(uploads)

    def _orphan_dags(self) -> None:
        """A DAG file (it imports Airflow and builds a DAG) that no environment or non-Airflow unit
        holds is Airflow's all the same: its folder joins the repository's only environment when
        that one has no DAGs folder, else it is a DAGs folder of its own environment."""
        orphans: dict[str, str] = {}
        for path in self.tree.paths:
            if not path.endswith(".py") or self._in_unit(path) or self._in_env_folder(path):
                continue
            if any(inside(path, r) and r != "." for r in self.by_root) or ("." in self.by_root and self.by_root["."].dags):
                continue
            text = self.tree.text(path)
            if layouts.AIRFLOW_IMPORT.search(text) and ("DAG(" in text or "@dag" in text):
                orphans.setdefault(parent(path), path)
        lonely = [e for e in self.by_root.values() if not e.dags]
        for folder, path in sorted(orphans.items()):
            if len(self.by_root) == 1 and lonely:
                env = lonely[0]
            else:
                env = self.env_at(parent(folder) if folder != "." else ".")
            env.note("dags-folder", Evidence(ORPHAN_DAG, path, 0, ""))
            if folder != ".":
                env.add("dags", folder)

    def _layouts(self) -> None:
        tree = self.tree
        for detector in (layouts.local_runner(tree), layouts.dockerfiles(tree), layouts.compose(tree),
                         layouts.helm(tree)):
            for found in detector:
                if found.kind == "docker-image":
                    self.units.setdefault(found.root, Evidence("a Docker image that is not Airflow", found.path,
                                                               found.line, found.text))
                else:
                    self.take(found)
        for found in layouts.lambdas(tree):
            self.units.setdefault(found.root, Evidence("an AWS Lambda function", found.path, found.line, found.text))
        for found in layouts.requirement_files(tree, self.dags_names):
            if not self._in_unit(found.path) and not self._in_env_folder(found.path):
                self.take(found)
        for found in layouts.dags_folders(tree, self.dags_names, self.dags_exact):
            dags = found.roles[0][1]
            if any(dags in e.dags for e in self.by_root.values()) or self._in_env_folder(dags):
                continue
            # A `tests/dags` inside an environment holds the tests' DAGs, not another deployment.
            if any(inside(dags, r) for r in self.by_root) and {"tests", "test"} & set(dags.split("/")):
                continue
            self.take(found)

    def _configs_and_merges(self) -> None:
        for into, other in self.merges:
            if other in self.by_root and into in self.by_root and other != into:
                _merge(self.by_root[into], self.by_root.pop(other))
        for path in self.tree.paths:  # an airflow.cfg or webserver_config.py where nothing else was seen
            name = posixpath.basename(path).lower()
            if (name.startswith("airflow") and name.endswith(".cfg")) or name == "webserver_config.py":
                if not self._in_unit(path) and not any(inside(path, r) for r in self.by_root):
                    folder = parent(path)
                    root = parent(folder) if posixpath.basename(folder) in ("config", "airflow") and folder != "." else folder
                    self.take(layouts.Found("airflow-config", "unknown", root, path, 0, "Airflow's own configuration",
                                            (("config", path),)))

    def _defaults(self, uploads: list[infra.Upload]) -> None:
        """Plugins and requirements where the local runner and MWAA's guide put them, when nothing
        named them; an upload of an environment's DAGs says where it is deployed."""
        tree = self.tree
        for exact in self.plugins_dirs:
            env = self.by_root.get(parent(exact))
            if env is not None and tree.is_folder(exact):
                env.add("plugins", exact)
        for env in self.by_root.values():
            prefix = "" if env.root == "." else env.root + "/"
            if not env.plugins and tree.is_folder(prefix + "plugins"):
                env.add("plugins", prefix + "plugins")
            if not env.requirements:
                spots = [prefix + "requirements.txt", prefix + "requirements/requirements.txt",
                         *(d + "/requirements.txt" for d in env.dags)]
                present = [p for p in spots if tree.has(p) and not layouts.is_constraints_text(tree.text(p))]
                if present:
                    env.add("requirements", present[0])
        for up in uploads:
            for env in self.by_root.values():
                if up.local in env.dags and up.path not in env.infrastructure:
                    env.note("requirements", Evidence(f"uploaded to {up.scheme}://…/{up.dest}", up.path, up.line, up.text),
                             "mwaa" if up.scheme == "s3" else "composer")
                    env.add("infrastructure", up.path)

    def _in_env_folder(self, path: str) -> bool:
        """Inside an environment's DAGs, plugins, include or image folder (the local runner's docker/)."""
        return any(inside(path, f) for e in self.by_root.values() for f in (*e.dags, *e.plugins, *e.include, *e.image))

    def _in_unit(self, path: str) -> bool:
        return holding_unit(path, self.units, self.by_root) is not None


def _merge(into: Environment, other: Environment) -> None:
    for role in ("dags", "plugins", "include", "image", "requirements", "constraints", "startup", "config",
                 "infrastructure"):
        for path in getattr(other, role):
            into.add(role, path)
    for evidence in other.evidence:
        into.note(other.kind, evidence, other.platform if other.platform != "unknown" else None)
    if other.from_version and other.from_evidence:
        into.set_version(other.from_version, other.from_evidence, other.version_strength)


def discover_environments(
    root: Path,
    paths: Iterable[str],
    kinds: dict[str, str],
    declared: Optional[list[dict[str, Any]]] = None,
    dags_dirs: Iterable[str] = ("dags",),
    plugins_dirs: Iterable[str] = ("plugins",),
) -> Model:
    """The environments of the repository at `root`. `paths`: every file of it (relative, '/');
    `kinds`: the files dagshift reads and their kind, which all get a membership."""
    tree = Tree(root, paths)
    finder = _Finder(tree, dags_dirs, plugins_dirs)
    if declared:
        for spec in declared:
            _declared(finder, spec)
    else:
        finder.run()
    environments = sorted(finder.by_root.values(), key=lambda e: (e.root != ".", e.root))
    implicit = False
    speaking = None if environments else _speaks_airflow(tree, kinds)
    if speaking is not None:
        env = Environment(root=".", name=".", kind="airflow-code")
        env.evidence.append(Evidence("no deployment was found: the whole repository is read as one environment",
                                     speaking, 0, "it speaks Airflow"))
        environments, implicit = [env], True
    for env in environments:
        env.name = env.name or env.root
    from dagshift.environments.assign import assign

    files = assign(tree, environments, finder.units, kinds, implicit)
    return Model(environments, files, implicit)


PYTHON_AIRFLOW_TEXT = ("'airflow.", '"airflow.', "create_cli_token", "AIRFLOW__")
# What shows, in a file that is not Python, that the repository is Airflow's (a Terraform module's
# `airflow_version` variable does not: a module is no deployment).
AIRFLOW_TEXT = ("AIRFLOW__", "apache-airflow", "airflow ")


def _speaks_airflow(tree: Tree, kinds: dict[str, str]) -> Optional[str]:
    """The first file that shows the repository is Airflow's when no deployment layout was seen."""
    for path, kind in sorted(kinds.items()):
        if kind == "python":
            text = tree.text(path)
            if layouts.AIRFLOW_IMPORT.search(text) or any(m in text for m in PYTHON_AIRFLOW_TEXT):
                return path
            continue
        if kind == "airflow-cfg" or (kind not in ("python", "template", "terraform") and
                                     any(m in tree.text(path) for m in AIRFLOW_TEXT)):
            return path
    return None


def _declared(finder: _Finder, spec: dict[str, Any]) -> None:
    env = finder.env_at(str(spec.get("root", ".")).strip("/") or ".")
    env.note("declared", Evidence("declared in [tool.dagshift] environments", "pyproject.toml", 0, spec.get("name", "")),
             spec.get("platform", "unknown"))
    if spec.get("name"):
        env.name = spec["name"]
    for role in ("dags", "plugins", "include", "requirements", "constraints", "startup", "config", "infrastructure"):
        for value in spec.get(role, []):
            env.add(role, posixpath.normpath(value.strip("/")))
    if spec.get("from-version"):
        env.set_version(spec["from-version"], Evidence("declared from-version", "pyproject.toml", 0, spec["from-version"]), 6)
    env.target = spec.get("target-version")

