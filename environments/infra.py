"""Infrastructure that declares an environment (MWAA in Terraform, CloudFormation and CDK; Composer
in Terraform) and the uploads that put a local folder or file where it reads them (S3, GCS)."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Iterator, Optional

from dagshift.environments.tree import Tree, line_of, parent, resolve_local

# Which MWAA property names which role, in each spelling (CloudFormation, Terraform, CDK Python, CDK TS).
MWAA_KEYS = {
    "version": ("AirflowVersion", "airflow_version", "airflowVersion"),
    "dags": ("DagS3Path", "dag_s3_path", "dagS3Path"),
    "requirements": ("RequirementsS3Path", "requirements_s3_path", "requirementsS3Path"),
    "plugins": ("PluginsS3Path", "plugins_s3_path", "pluginsS3Path"),
    "startup": ("StartupScriptS3Path", "startup_script_s3_path", "startupScriptS3Path"),
}
TF_BLOCK = re.compile(r'^\s*(resource|module)\s+"([\w-]+)"\s+"([\w-]+)"\s*\{', re.M)
COMPOSER_IMAGE = re.compile(r"composer-[\d.]+(?:-preview\.\d+)?-airflow-(\d+\.\d+\.\d+)")


@dataclass
class Declaration:
    """An environment some infrastructure file declares, with what it says of each role (S3 keys)."""

    platform: str  # mwaa or composer
    path: str
    line: int
    text: str  # the line that declares it
    name: str
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # role -> (value, line)
    bucket: Optional[str] = None  # the bucket it reads, when the file says (name, or `aws_s3_bucket.X`)
    files: list[str] = field(default_factory=list)  # other files its values came from (variables.tf)


@dataclass(frozen=True)
class Upload:
    """A local file or folder copied to object storage: `dest` is the key or prefix after the bucket."""

    local: str
    dest: str
    scheme: str  # s3 or gs
    path: str
    line: int
    text: str
    bucket: Optional[str] = None


def _bucket(raw: str) -> Optional[str]:
    """A bucket from what names it: `arn:aws:s3:::name`, `s3://name/...`, `aws_s3_bucket.X.arn`/`.id`, a name."""
    raw = raw.strip().strip("\"'")
    ref = re.match(r"(aws_s3_bucket\.[\w-]+)\.", raw)
    if ref:
        return ref.group(1)
    if raw.startswith("arn:aws:s3:::"):
        raw = raw[len("arn:aws:s3:::"):]
    elif "://" in raw:
        raw = raw.partition("://")[2]
    name = raw.partition("/")[0]
    return name if re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name) else None


def _block(text: str, start: int) -> str:
    """The `{ ... }` body opening at or after `start` (brace counting; strings are not special:
    Terraform interpolations nest braces in pairs)."""
    opened = text.find("{", start)
    depth = 0
    for i in range(opened, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[opened : i + 1]
    return text[opened:]


def _tf_value(tree: Tree, folder: str, raw: str, seen: Optional[list[str]] = None) -> Optional[str]:
    """A Terraform attribute's value when it is a literal or a variable with a literal default/tfvars
    value; the file that held the variable's value is appended to `seen`."""
    raw = raw.strip().rstrip(",")
    literal = re.fullmatch(r'"([^"$]*)"', raw)
    if literal:
        return literal.group(1)
    var = re.fullmatch(r"(?:var|local)\.(\w+)", raw)
    if not var:
        return None
    name = var.group(1)
    for path in tree.by_folder.get(folder, []):
        if not path.endswith((".tf", ".tfvars")):
            continue
        text = tree.text(path)
        found = (re.search(r'variable\s+"%s"\s*\{[^}]*?default\s*=\s*"([^"$]*)"' % name, text, re.S)
                 or re.search(r'^\s*%s\s*=\s*"([^"$]*)"' % name, text, re.M))
        if found:
            if seen is not None:
                seen.append(path)
            return found.group(1)
    return None


def terraform(tree: Tree, path: str) -> Iterator[Declaration]:
    text = tree.text(path)
    if "mwaa" not in text.lower() and "google_composer_environment" not in text:
        return
    for m in TF_BLOCK.finditer(text):
        block_kind, type_, name = m.groups()
        body = _block(text, m.end() - 1)
        line = line_of(text, m.start(1))
        header = m.group(0).strip()
        if type_ == "aws_mwaa_environment" or (block_kind == "module" and re.search(r'source\s*=\s*"[^"]*mwaa', body)):
            decl = Declaration("mwaa", path, line, header.rstrip("{ ").strip(), f"{block_kind} {type_}.{name}")
            arn = re.search(r"^\s*source_bucket_arn\s*=\s*(.+)$", body, re.M)
            if arn:
                decl.bucket = _bucket(_tf_value(tree, parent(path), arn.group(1)) or arn.group(1))
            for role, keys in MWAA_KEYS.items():
                found = re.search(r"^\s*%s\s*=\s*(.+)$" % keys[1], body, re.M)
                if found:
                    value = _tf_value(tree, parent(path), found.group(1), decl.files)
                    if value:
                        decl.values[role] = (value, line + body.count("\n", 0, found.start(1)))
            yield decl
        elif type_ == "google_composer_environment":
            decl = Declaration("composer", path, line, header.rstrip("{ ").strip(), f"resource {type_}.{name}")
            image = COMPOSER_IMAGE.search(body)
            if image:
                decl.values["version"] = (image.group(1), line + body.count("\n", 0, image.start()))
            yield decl


def cloudformation(tree: Tree, path: str) -> Iterator[Declaration]:
    """`Type: AWS::MWAA::Environment` (YAML or JSON), and CDK's `CfnEnvironment` (Python, TypeScript)."""
    text = tree.text(path)
    code = path.lower().endswith((".py", ".ts", ".js"))  # CDK: only the construct's call counts
    marker = "CfnEnvironment(" if code else "AWS::MWAA::Environment"
    at = text.find(marker)
    if at < 0:
        return
    line = line_of(text, at)
    decl = Declaration("mwaa", path, line, text.splitlines()[line - 1].strip()[:80], marker.rstrip("("))
    arn = re.search(r"""(?:SourceBucketArn|source_bucket_arn|sourceBucketArn)["']?\s*[:=]\s*["']?(arn:aws:s3:::[\w.-]+)""", text)
    decl.bucket = _bucket(arn.group(1)) if arn else None
    for role, keys in MWAA_KEYS.items():
        for key in (keys[0], keys[2]) if marker != "CfnEnvironment(" else (keys[1], keys[2]):
            found = re.search(r"""["']?\b%s["']?\s*[:=]\s*["']?([\w./-]+)""" % key, text[at:])
            if found and not found.group(1).startswith(("!", "Ref")):
                decl.values[role] = (found.group(1), line_of(text, at + found.start(1)))
                break
            if found:  # `!Ref Param`: the parameter's Default
                ref = re.search(r"""["']?\b%s["']?\s*[:=]\s*!Ref\s+(\w+)""" % key, text[at:])
                default = ref and re.search(r"^\s*%s:\s*\n(?:\s+\w+:.*\n)*?\s+Default:\s*[\"']?([\w./-]+)" % ref.group(1), text, re.M)
                if default:
                    decl.values[role] = (default.group(1), line_of(text, default.start(1)))
                break
    yield decl


VALUE_OPTIONS = {"--exclude", "--include", "--profile", "--region", "--acl", "--sse", "--storage-class",
                 "--endpoint-url", "--cache-control", "--content-type", "--source", "--environment",
                 "--location", "--project", "-x", "--metadata"}
UPLOAD_RE = re.compile(r"(aws\s+s3\s+(?:sync|cp)|gsutil\s+(?:-\w+\s+)*(?:rsync|cp)|"
                       r"gcloud\s+(?:beta\s+)?composer\s+environments\s+storage\s+(?:dags|plugins|data)\s+import)([^\n]*)")


def _positional(args: str) -> tuple[list[str], dict[str, str]]:
    try:
        tokens = shlex.split(args.split(" #")[0].replace("\\", " "), posix=True)
    except ValueError:
        tokens = args.split()
    found, options, skip = [], {}, None
    for token in tokens:
        if token in ("&&", "||", ";", "|"):
            break
        if skip is not None:
            options[skip] = token
            skip = None
        elif "=" in token and token.startswith("--"):
            key, _, value = token.partition("=")
            options[key] = value
        elif token in VALUE_OPTIONS:
            skip = token
        elif not token.startswith("-"):
            found.append(token)
    return found, options


def script_uploads(tree: Tree, path: str) -> Iterator[Upload]:
    text = tree.text(path)
    if "s3" not in text and "gs" not in text:
        return
    for m in UPLOAD_RE.finditer(text):
        command, args = m.group(1), m.group(2)
        positional, options = _positional(args)
        line = line_of(text, m.start(1))
        shown = m.group(0).strip()[:120]
        if command.startswith("gcloud"):
            source = options.get("--source")
            what = command.split()[-2]
            if source:
                local = resolve_local(tree, parent(path), source)
                if local:
                    yield Upload(local, what, "gs", path, line, shown)
            continue
        if len(positional) < 2 or not positional[1].startswith(("s3://", "gs://")):
            continue
        local = resolve_local(tree, parent(path), positional[0])
        if local is None:
            continue
        scheme, _, rest = positional[1].partition("://")
        key = rest.partition("/")[2].strip("/")
        if tree.has(local) and positional[1].endswith("/"):
            key = posixpath.join(key, posixpath.basename(local)) if key else posixpath.basename(local)
        yield Upload(local, key, scheme, path, line, shown, _bucket(positional[1]))


def terraform_uploads(tree: Tree, path: str) -> Iterator[Upload]:
    text = tree.text(path)
    if "aws_s3_object" not in text and "aws_s3_bucket_object" not in text:
        return
    for m in TF_BLOCK.finditer(text):
        if m.group(2) not in ("aws_s3_object", "aws_s3_bucket_object"):
            continue
        body = _block(text, m.end() - 1)
        line = line_of(text, m.start(1))
        key = re.search(r'^\s*key\s*=\s*"([^"]*)"', body, re.M)
        named = re.search(r"^\s*bucket\s*=\s*(.+)$", body, re.M)
        bucket = _bucket(named.group(1)) if named else None
        fileset = re.search(r'fileset\(\s*"([^"]+)"', body)
        source = re.search(r'^\s*source\s*=\s*"([^"]+)"', body, re.M)
        if key is None:
            continue
        if fileset:
            local = resolve_local(tree, parent(path), fileset.group(1))
            prefix = key.group(1).split("${", 1)[0].strip("/")
            if local:
                yield Upload(local, prefix, "s3", path, line, m.group(0).rstrip("{ ").strip(), bucket)
        elif source and "${each" not in source.group(1):
            local = resolve_local(tree, parent(path), source.group(1))
            if local:
                yield Upload(local, key.group(1).strip("/"), "s3", path, line, m.group(0).rstrip("{ ").strip(), bucket)


CDK_DEPLOY = re.compile(r"BucketDeployment\(")


def cdk_uploads(tree: Tree, path: str) -> Iterator[Upload]:
    text = tree.text(path)
    for m in CDK_DEPLOY.finditer(text):
        window = text[m.end() : m.end() + 1500]
        asset = re.search(r"""Source\.asset\(\s*(?:path\.join\(\s*__dirname\s*,\s*|os\.path\.join\([^,]*,\s*)?["']([^"']+)["']""", window)
        prefix = re.search(r"""(?:destination_key_prefix|destinationKeyPrefix)\s*[=:]\s*["']([^"']*)["']""", window)
        if not asset:
            continue
        local = resolve_local(tree, parent(path), asset.group(1))
        if local:
            yield Upload(local, (prefix.group(1) if prefix else "").strip("/"), "s3", path, line_of(text, m.start()),
                         "BucketDeployment")


def bucket_names(tree: Tree) -> dict[str, str]:
    """`aws_s3_bucket.X` -> the bucket's literal name, so a resource reference and a name compare equal."""
    names: dict[str, str] = {}
    for path in tree.paths:
        if path.endswith(".tf") and "aws_s3_bucket" in tree.text(path):
            text = tree.text(path)
            for m in TF_BLOCK.finditer(text):
                if m.group(2) == "aws_s3_bucket":
                    literal = re.search(r'^\s*bucket\s*=\s*"([^"$]+)"', _block(text, m.end() - 1), re.M)
                    if literal:
                        names[f"aws_s3_bucket.{m.group(3)}"] = literal.group(1)
    return names


def for_declaration(decl: Declaration, uploads: list[Upload], names: dict[str, str]) -> list[Upload]:
    """The uploads that can feed the declared environment: to its bucket when both name one; else
    those nearest the declaring file (a monorepo's other environments upload elsewhere)."""
    mine = names.get(decl.bucket or "", decl.bucket)
    known = [u for u in uploads if mine and u.bucket and names.get(u.bucket, u.bucket) == mine]
    if known:
        return known
    unknown = [u for u in uploads if not (mine and u.bucket)]
    folder = parent(decl.path)
    while True:
        here = [u for u in unknown if folder == "." or u.path.startswith(folder + "/")]
        if here or folder == ".":
            return here
        folder = parent(folder)


def declarations_and_uploads(tree: Tree) -> tuple[list[Declaration], list[Upload]]:
    declarations: list[Declaration] = []
    uploads: list[Upload] = []
    for path in tree.paths:
        lower = path.lower()
        if lower.endswith(".tf"):
            declarations.extend(terraform(tree, path))
            uploads.extend(terraform_uploads(tree, path))
        elif lower.endswith((".yaml", ".yml", ".json", ".template", ".py", ".ts", ".js")):
            if lower.endswith((".py", ".ts", ".js")) and "CfnEnvironment(" not in tree.text(path) and \
                    "BucketDeployment(" not in tree.text(path):
                continue
            declarations.extend(cloudformation(tree, path))
            if lower.endswith((".py", ".ts", ".js")):
                uploads.extend(cdk_uploads(tree, path))
            else:
                uploads.extend(script_uploads(tree, path))
        elif lower.endswith((".sh", ".bash", "makefile", ".mk")) or posixpath.basename(lower) in ("makefile", "justfile"):
            uploads.extend(script_uploads(tree, path))
    return declarations, uploads


def mapped(tree: Tree, key: str, uploads: list[Upload], want_folder: bool) -> Optional[Upload]:
    """The upload that puts a local file or folder at `key`, translated to that local path."""
    key = key.strip("/")
    for up in uploads:
        if up.dest == key and tree.is_folder(up.local) == want_folder:
            return up
        if tree.is_folder(up.local) and (not up.dest or key.startswith(up.dest + "/")):
            rest = key[len(up.dest) + 1 :] if up.dest else key
            candidate = posixpath.normpath(posixpath.join(up.local, rest))
            if (tree.is_folder(candidate) if want_folder else tree.has(candidate)):
                return Upload(candidate, key, up.scheme, up.path, up.line, up.text, up.bucket)
    return None
