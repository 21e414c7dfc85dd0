"""Settings: `[tool.dagshift]` in the nearest pyproject.toml, overridden by command-line flags."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Optional

from dagshift.linter import targets
from dagshift.linter.codes import FAILURE_CODES
from dagshift.linter.source import DEFAULT_MAX_FILE_SIZE

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env.d", ".tox", ".nox", "node_modules",
    "__pycache__", "build", "dist", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".cache", "site-packages", ".terraform", ".aws-sam", "cdk.out",
)

SELECTOR_RE = re.compile(r"^(ALL|DS[0-9]{0,3})$")
PYTHON_RE = re.compile(r"^3\.[0-9]{1,2}$")


class ConfigError(Exception):
    """A bad setting; the message names the key and where it came from."""


@dataclass
class Settings:
    target_version: str
    target_is_default: bool
    python_version: str
    select: tuple[str, ...] = ("ALL",)
    # Where the target came from, as the summary line says it: "--target-version", "pyproject.toml".
    target_origin: str = ""
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    plugins_dirs: tuple[str, ...] = ("plugins",)
    dags_dirs: tuple[str, ...] = ("dags",)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    unsafe_fixes: bool = False
    jobs: Optional[int] = None
    online: bool = False
    cache: bool = True
    cache_dir: Optional[Path] = None
    root: Path = field(default_factory=Path.cwd)
    config_path: Optional[Path] = None
    environments: tuple[dict[str, Any], ...] = ()  # declared in [[tool.dagshift.environments]]
    # A platform on top of the target's Airflow ("serverless-1": MWAA Serverless engine 1), whose
    # own rules (`Rule.platform`) run too; "" for an MWAA environment.
    platform: str = ""

    @property
    def target_name(self) -> str:
        """The target as the user names it: '3.0.6', or 'serverless-1'."""
        return self.platform or self.target_version

    def enabled(self, code: str) -> bool:
        if code in FAILURE_CODES:
            return True
        chosen = _best_match(code, self.select + self.extend_select)
        dropped = _best_match(code, self.ignore)
        if chosen < 0:
            return False
        # As in ruff: the more specific selector wins; on a tie, ignore wins.
        return chosen > dropped

    def ignored_for(self, relpath: str) -> tuple[str, ...]:
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores.items():
            if path_matches(relpath, pattern):
                codes.extend(ignored)
        return tuple(codes)

    @property
    def excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def fingerprint(self) -> tuple:
        """What a cached result depends on besides the file itself."""
        return (
            self.target_version, self.python_version, self.select, self.ignore, self.extend_select,
            tuple(sorted(self.per_file_ignores.items())), self.plugins_dirs, self.dags_dirs,
            self.unsafe_fixes, self.online, repr(self.environments), self.platform,
        )


def _best_match(code: str, selectors: Iterable[str]) -> int:
    """Length of the most specific selector matching `code`; -1 when none does."""
    best = -1
    for sel in selectors:
        if sel == "ALL":
            best = max(best, 0)
        elif code.startswith(sel):
            best = max(best, len(sel))
    return best


class Excludes:
    """Exclude patterns compiled once: names (no '/') against each path component, paths against the whole."""

    def __init__(self, patterns: Iterable[str]) -> None:
        import re as _re
        from fnmatch import translate

        names: list[str] = []
        paths: list[str] = []
        for pattern in patterns:
            pattern = pattern.rstrip("/")
            pattern = pattern[2:] if pattern.startswith("./") else pattern
            (paths if "/" in pattern else names).append(pattern)
        self.literal = {n for n in names if not any(c in n for c in "*?[")}
        globs = [translate(n) for n in names if n not in self.literal]
        self.glob = _re.compile("|".join(globs)) if globs else None
        path_globs = [translate(p) for p in paths] + [translate(p + "/*") for p in paths]
        self.path = _re.compile("|".join(path_globs)) if path_globs else None

    def match(self, relpath: str) -> bool:
        for part in relpath.split("/"):
            if part in self.literal or (self.glob is not None and self.glob.match(part)):
                return True
        return self.path is not None and self.path.match(relpath) is not None


def path_matches(relpath: str, pattern: str) -> bool:
    """ruff's exclude semantics: a pattern without '/' matches any path component by name."""
    from fnmatch import fnmatchcase

    pattern = pattern.rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in relpath.split("/"))
    return fnmatchcase(relpath, pattern) or fnmatchcase(relpath, pattern + "/*")


# -- loading -------------------------------------------------------------------------------

KEYS = {
    "target-version", "python-version", "select", "ignore", "extend-select", "per-file-ignores",
    "exclude", "extend-exclude", "plugins-dirs", "dags-dirs", "max-file-size", "unsafe-fixes", "jobs",
    "online", "cache-dir", "cache", "environments",
}
ENVIRONMENT_KEYS = {"name", "root", "platform", "dags", "plugins", "include", "requirements", "constraints", "startup",
                    "config", "infrastructure", "from-version", "target-version"}
PLATFORMS = ("mwaa", "astro", "composer", "self-managed", "unknown")


def find_config(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml, from `start` upwards, that has a [tool.dagshift] table."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            # `[tool.dagshift]`, or only `[[tool.dagshift.environments]]` (an array of tables)
            if re.search(r"^\s*\[\[?\s*tool\s*\.\s*dagshift\b", text, re.M):
                return candidate
    return None


def load_table(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("dagshift", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dagshift] must be a table")
    return table


def build_settings(
    table: dict[str, Any],
    overrides: dict[str, Any],
    known_codes: Iterable[str],
    root: Path,
    config_path: Optional[Path] = None,
) -> Settings:
    """Merge file settings and CLI overrides (already in file-key form) and validate them all."""
    where = str(config_path) if config_path else "settings"
    merged = _merged(table, overrides, where)
    codes = sorted(known_codes)
    target, is_default = _target(merged, where)
    origin = "--target-version" if overrides.get("target-version") is not None else (
        config_path.name if config_path is not None and "target-version" in table else "settings")
    python = merged.get("python-version", target.python)
    if not isinstance(python, str) or not PYTHON_RE.match(python):
        raise ConfigError(f"{where}: `python-version` must look like \"3.10\", got {python!r}")

    def selectors(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        if key not in merged:
            return default
        label = f"`--{key}`" if overrides.get(key) is not None else f"{where}: `{key}`"
        return parse_selectors(merged[key], label, codes)

    def strings(key: str, default: Iterable[str]) -> tuple[str, ...]:
        return tuple(_strings(merged[key], key, where)) if key in merged else tuple(default)

    flags = {key: _flag(merged, key, default, where) for key, default in FLAGS.items()}
    cache_dir = merged.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: `cache-dir` must be a path")
    return Settings(
        target_version=target.airflow,
        target_is_default=is_default,
        target_origin=origin,
        python_version=python,
        select=selectors("select", ("ALL",)),
        ignore=selectors("ignore", ()),
        extend_select=selectors("extend-select", ()),
        per_file_ignores=_per_file_ignores(merged, where, codes),
        exclude=strings("exclude", DEFAULT_EXCLUDE),
        extend_exclude=strings("extend-exclude", ()),
        plugins_dirs=strings("plugins-dirs", ("plugins",)),
        dags_dirs=strings("dags-dirs", ("dags",)),
        max_file_size=_whole(merged, "max-file-size", DEFAULT_MAX_FILE_SIZE, where, "a positive number of bytes"),
        unsafe_fixes=flags["unsafe-fixes"],
        jobs=_whole(merged, "jobs", None, where, "a whole number of at least 1"),
        online=flags["online"],
        cache=flags["cache"],
        cache_dir=(root / cache_dir) if cache_dir else None,
        root=root,
        config_path=config_path,
        environments=_environments(merged.get("environments", []), where),
        platform=_platform(merged),
    )


def _environments(raw: Any, where: str) -> tuple[dict[str, Any], ...]:
    """`[[tool.dagshift.environments]]`: what cannot be seen in the repository, declared."""
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ConfigError(f"{where}: `environments` must be a list of tables ([[tool.dagshift.environments]])")
    found = []
    for i, env in enumerate(raw):
        label = f"{where}: environments[{i}]"
        unknown = sorted(set(env) - ENVIRONMENT_KEYS)
        if unknown:
            raise ConfigError(f"{label}: unknown key `{unknown[0]}` (known: {', '.join(sorted(ENVIRONMENT_KEYS))})")
        clean: dict[str, Any] = {}
        for key, value in env.items():
            if key in ("name", "root", "platform", "from-version", "target-version"):
                if not isinstance(value, str):
                    raise ConfigError(f"{label}: `{key}` must be a string")
                clean[key] = value
            else:
                clean[key] = tuple(_strings(value, f"environments[{i}].{key}", where))
        if clean.get("platform", "unknown") not in PLATFORMS:
            raise ConfigError(f"{label}: `platform` must be one of {', '.join(PLATFORMS)}")
        if "target-version" in clean:  # an Airflow version MWAA offers, or `serverless`/`serverless-N`
            resolve_target(clean["target-version"], label)
            platform = targets.parse_platform(clean["target-version"])
            clean["target-version"] = platform or clean["target-version"]  # `serverless` -> its newest engine
        found.append(clean)
    return tuple(found)


# The true/false settings and their defaults.
FLAGS = {"unsafe-fixes": False, "online": False, "cache": True}


def _merged(table: dict[str, Any], overrides: dict[str, Any], where: str) -> dict[str, Any]:
    for key in table:
        if key not in KEYS:
            import difflib

            hint = difflib.get_close_matches(key, sorted(KEYS), n=1)
            suggestion = f" (did you mean `{hint[0]}`?)" if hint else ""
            raise ConfigError(f"{where}: unknown key `{key}` in [tool.dagshift]{suggestion}")
    merged = dict(table)
    for key, value in overrides.items():
        if value is None:
            continue
        if key in ("ignore", "extend-select") and key in merged:
            merged[key] = list(_strings(merged[key], key, where)) + list(value)
        else:
            merged[key] = value
    return merged


def _target(merged: dict[str, Any], where: str) -> tuple[targets.MwaaVersion, bool]:
    """The target version, and whether it is the default (no setting chose it)."""
    target_raw = merged.get("target-version")
    return resolve_target(target_raw, where), target_raw is None


def _platform(merged: dict[str, Any]) -> str:
    raw = merged.get("target-version")
    return (targets.parse_platform(raw) or "") if isinstance(raw, str) else ""


def resolve_target(raw: Any, where: str) -> targets.MwaaVersion:
    """The MWAA version `raw` names (None: the default target; "serverless": the Airflow version
    under MWAA Serverless's newest engine); a ConfigError naming `where` else."""
    if raw is None:
        return targets.default_target()
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: `target-version` must be a string such as \"2.5.1\"")
    platform = targets.parse_platform(raw)
    if platform is None and raw.startswith(targets.SERVERLESS):
        engines = ", ".join(sorted(targets.serverless_engines(), key=int))
        raise ConfigError(f"{where}: `target-version` {raw!r} names no MWAA Serverless engine version "
                          f"(`serverless` is the newest; engines: {engines})")
    found = targets.find_target(targets.platform_airflow(platform) if platform else raw)
    if found is None:
        offered = ", ".join(v.airflow for v in targets.supported_targets())
        raise ConfigError(
            f"{where}: `target-version` {raw!r} is not an Airflow version MWAA offers "
            f"(choose one of {offered})"
        )
    return found


def _per_file_ignores(merged: dict[str, Any], where: str, codes: list[str]) -> dict[str, tuple[str, ...]]:
    raw = merged.get("per-file-ignores", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of pattern = [codes]")
    return {
        pattern: parse_selectors(value, f"{where}: `per-file-ignores` {pattern!r}", codes)
        for pattern, value in raw.items()
    }


def _flag(merged: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = merged.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false")
    return value


def _whole(merged: dict[str, Any], key: str, default: Optional[int], where: str, what: str) -> Any:
    """A positive whole number (booleans are ints in Python: refused), or the default."""
    value = merged.get(key, default)
    if value is default:
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: `{key}` must be {what}")
    return value


def parse_selectors(value: Any, what: str, codes: list[str]) -> tuple[str, ...]:
    """Rule selectors (ALL, DS, DS1, DS10, DS101); each must match at least one known rule."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what} must be a list of rule codes")
    selected = tuple(v.strip().upper() for v in value if v.strip())
    unknown = [sel for sel in selected
               if not SELECTOR_RE.match(sel) or (sel != "ALL" and not any(c.startswith(sel) for c in codes))]
    if len(unknown) == 1:
        raise ConfigError(f"{what} has unknown rule selector {unknown[0]!r}")
    if unknown:
        raise ConfigError(f"{what} has unknown rule selectors {', '.join(repr(s) for s in unknown)}")
    return selected


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return list(value)


def load_settings(
    paths: list[Path],
    overrides: dict[str, Any],
    known_codes: Iterable[str],
    config: Optional[Path] = None,
) -> Settings:
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"{config}: configuration file not found")
        config_path: Optional[Path] = config
    else:
        start = paths[0] if paths else Path.cwd()
        start = start if start.is_dir() else start.parent
        config_path = find_config(start) or find_config(Path.cwd())
    table = load_table(config_path) if config_path else {}
    root = config_path.parent.resolve() if config_path else project_root(paths)
    return build_settings(table, overrides, known_codes, root, config_path)


def project_root(paths: list[Path]) -> Path:
    """The repository the paths belong to, found from the paths, never from the working directory
    (so the same files give the same findings from anywhere): the nearest folder above the first
    path that holds `.git`; else, for a path inside a `dags` or `plugins` folder, the folder
    holding that one; else the first path's own folder."""
    start = (paths[0] if paths else Path.cwd()).resolve()
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    for folder in (start, *start.parents):
        if folder.name in ("dags", "plugins"):
            return folder.parent
    return start


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)
