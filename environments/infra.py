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
# `resource "type" "name" {`, `data "type" "name" {`, `module "name" {` (a module has one label).
TF_BLOCK = re.compile(r'^[ \t]*(resource|module|data)[ \t]+"([\w-]+)"(?:[ \t]+"([\w-]+)")?[ \t]*\{', re.M)
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
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
    # False for a module's resource whose version is a variable: a template, not a deployment.
    concrete: bool = True


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
    """A Terraform attribute's value: a literal; a variable's literal default or tfvars value (also an
    attribute of an object variable, `var.airflow.version`); a resource's literal attribute
    (`aws_s3_object.dags.key`). The file that held it is appended to `seen`."""
    raw = raw.strip().rstrip(",")
    literal = re.fullmatch(r'"([^"$]*)"', raw)
    if literal:
        return literal.group(1)
    var = re.fullmatch(r"(?:var|local)\.(\w+)(?:\.(\w+))?", raw)
    ref = re.fullmatch(r"(aws_s3_object|aws_s3_bucket_object)\.([\w-]+)\.(key|id)", raw)
    if not var and not ref:
        return None
    for path in tree.by_folder.get(folder, []):
        if not path.endswith((".tf", ".tfvars")):
            continue
        text = tree.text(path)
        found = None
        if ref:
            block = re.search(r'resource\s+"%s"\s+"%s"\s*\{' % (ref.group(1), ref.group(2)), text)
            found = block and re.search(r'^[ \t]*key\s*=\s*"([^"$]*)"', _block(text, block.end() - 1), re.M)
        elif var and var.group(2):  # an attribute of an object variable's default
            block = re.search(r'variable\s+"%s"\s*\{' % var.group(1), text)
            found = block and re.search(r'\b%s\s*=\s*"([^"$]*)"' % var.group(2), _block(text, block.end() - 1))
        elif var:
            found = (re.search(r'variable\s+"%s"\s*\{[^}]*?default\s*=\s*"([^"$]*)"' % var.group(1), text, re.S)
                     or re.search(r'^[ \t]*%s\s*=\s*"([^"$]*)"' % var.group(1), text, re.M))
        if found:
            if seen is not None and path not in seen:
                seen.append(path)
            return found.group(1)
    return None


def terraform(tree: Tree, path: str) -> Iterator[Declaration]:
    text = tree.text(path)
    if "mwaa" not in text.lower() and "composer" not in text.lower():
        return
    for m in TF_BLOCK.finditer(text):
        block_kind, type_, name = m.group(1), m.group(2), m.group(3) or m.group(2)
        body = _block(text, m.end() - 1)
        line = line_of(text, m.start(1))
        header = m.group(0).strip().rstrip("{ ").strip()
        source = re.search(r'^[ \t]*source\s*=\s*"([^"]*)"', body, re.M) if block_kind == "module" else None
        label = f"{block_kind} {type_}.{name}" if block_kind == "resource" else f"module {name}"
        # A module call counts when it passes what an environment needs (not a helper module whose
        # name merely says mwaa or composer, such as a start-stop scheduler).
        declares = _local_module_declares(tree, path, source.group(1)) if source else ""
        if type_ == "aws_mwaa_environment" or (source and ("mwaa" in source.group(1).lower() or declares == "mwaa")
                                                and re.search(r"\b(?:airflow_version|dag_s3_path)\s*=", body)):
            decl = Declaration("mwaa", path, line, header, label)
            arn = re.search(r"^[ \t]*source_bucket_arn\s*=\s*(.+)$", body, re.M)
            if arn:
                decl.bucket = _bucket(_tf_value(tree, parent(path), arn.group(1)) or arn.group(1))
            for role, keys in MWAA_KEYS.items():
                found = re.search(r"^[ \t]*%s\s*=\s*(.+)$" % keys[1], body, re.M)
                if found:
                    value = _tf_value(tree, parent(path), found.group(1), decl.files)
                    if value and (role != "version" or VERSION.match(value)):
                        decl.values[role] = (value, line + body.count("\n", 0, found.start(1)))
            version = re.search(r'^[ \t]*airflow_version\s*=\s*"', body, re.M)
            decl.concrete = version is not None or (block_kind == "module" and "version" in decl.values)
            yield decl
        elif type_ == "google_composer_environment" or (source and ("composer" in source.group(1).lower()
                                                                    or declares == "composer") and "image_version" in body):
            decl = Declaration("composer", path, line, header, label)
            image = COMPOSER_IMAGE.search(body)
            raw = re.search(r"^[ \t]*image_version\s*=\s*(.+)$", body, re.M)
            resolved = _tf_value(tree, parent(path), raw.group(1), decl.files) if raw and not image else None
            # A resource whose image comes from a variable is a module's template, as for MWAA.
            decl.concrete = image is not None or block_kind == "module"
            if image:
                decl.values["version"] = (image.group(1), line + body.count("\n", 0, image.start()))
            elif resolved and COMPOSER_IMAGE.search(resolved) and raw is not None:
                version = COMPOSER_IMAGE.search(resolved)
                assert version is not None
                decl.values["version"] = (version.group(1), line + body.count("\n", 0, raw.start()))
            yield decl


def _local_module_declares(tree: Tree, path: str, source: str) -> str:
    """For a module called by a local path (`source = "../"`): "mwaa" or "composer" when that folder's
    Terraform declares such an environment, else ""."""
    if not source.startswith(("./", "../")):
        return ""
    folder = resolve_local(tree, parent(path), source, root_fallback=False)
    if folder is None or not tree.is_folder(folder):
        return ""
    texts = [tree.text(p) for p in tree.by_folder.get(folder, []) if p.endswith(".tf")]
    if any('"aws_mwaa_environment"' in t for t in texts):
        return "mwaa"
    return "composer" if any('"google_composer_environment"' in t for t in texts) else ""


def cloudformation(tree: Tree, path: str) -> Iterator[Declaration]:
    """`Type: AWS::MWAA::Environment` (YAML or JSON), and CDK's `CfnEnvironment` (Python, TypeScript):
    each property from a line that is not a comment; `!Ref Param` is the parameter's `Default`; a value
    that is not a literal (a variable, a constant) is left unknown."""
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
        names = (keys[1], keys[2]) if code else (keys[0], keys[2])
        for m in re.finditer(r"""^[ \t]*[^#\n]*?["']?\b(?:%s)["']?\s*[:=]\s*(.+)$""" % "|".join(names), text[at:], re.M):
            if m.group(0).lstrip().startswith(("#", "//")):
                continue
            raw = m.group(1).strip().rstrip(",").strip()
            value_line = line_of(text, at + m.start(1))
            ref = re.match(r"!Ref\s+(\w+)", raw)
            if ref:  # a template parameter: its Default
                default = re.search(r"^[ \t]*%s:\s*\n(?:\s+\w+:.*\n)*?\s+Default:\s*[\"']?([\w./-]+)" % ref.group(1), text, re.M)
                if default is None:
                    break
                raw, value_line = default.group(1), line_of(text, default.start(1))
            literal = re.match(r"""["']?([\w./-]+)["']?\s*(?:#.*)?$""", raw) if not raw.startswith(("!", "{")) else None
            if literal and (role != "version" or VERSION.match(literal.group(1))) and \
                    (not code or raw[:1] in "\"'"):  # in code, a name is a variable: unknown
                decl.values[role] = (literal.group(1), value_line)
            break
    yield decl


VALUE_OPTIONS = {"--exclude", "--include", "--profile", "--region", "--acl", "--sse", "--storage-class",
                 "--endpoint-url", "--cache-control", "--content-type", "--source", "--environment",
                 "--location", "--project", "-x", "--metadata"}
UPLOAD_RE = re.compile(r"(aws\s+s3\s+(?:sync|cp)|gsutil\s+(?:-\w+\s+)*(?:rsync|cp)|"
                       r"gcloud\s+(?:beta\s+)?composer\s+environments\s+storage\s+(?:dags|plugins|data)\s+import)([^\n]*)")


def _positional(args: str) -> tuple[list[str], dict[str, str]]:
    args = re.sub(r"\$\{\{[^}]*\}\}", "EXPR", args)  # a GitHub Actions expression: one unknown word
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
        key = re.search(r'^[ \t]*key\s*=\s*"([^"]*)"', body, re.M)
        named = re.search(r"^[ \t]*bucket\s*=\s*(.+)$", body, re.M)
        bucket = _bucket(named.group(1)) if named else None
        fileset = re.search(r'fileset\(\s*"([^"]+)"', body)
        source = re.search(r'^[ \t]*source\s*=\s*"([^"]+)"', body, re.M)
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
        asset = re.search(r"""Source\.asset\(\s*(?:path\.join\(\s*__dirname\s*,\s*|os\.path\.join\([^,]*,\s*)?f?["']([^"'{]+)["']""", window)
        prefix = re.search(r"""(?:destination_key_prefix|destinationKeyPrefix)\s*[=:]\s*["']([^"']*)["']""", window)
        if not asset:
            continue
        # A CDK app runs from the folder of its cdk.json: a relative asset path starts there.
        app = next((f for f in _ancestors(path) if tree.has(("" if f == "." else f + "/") + "cdk.json")), parent(path))
        local = resolve_local(tree, app, asset.group(1), root_fallback=False)
        if local:
            yield Upload(local, (prefix.group(1) if prefix else "").strip("/"), "s3", path, line_of(text, m.start()),
                         "BucketDeployment")


def _ancestors(path: str) -> Iterator[str]:
    folder = parent(path)
    while True:
        yield folder
        if folder == ".":
            return
        folder = parent(folder)


def bucket_names(tree: Tree) -> dict[str, str]:
    """`aws_s3_bucket.X` -> the bucket's literal name, so a resource reference and a name compare equal."""
    names: dict[str, str] = {}
    for path in tree.paths:
        if path.endswith(".tf") and "aws_s3_bucket" in tree.text(path):
            text = tree.text(path)
            for m in TF_BLOCK.finditer(text):
                if m.group(2) == "aws_s3_bucket" and m.group(3):
                    literal = re.search(r'^[ \t]*bucket\s*=\s*"([^"$]+)"', _block(text, m.end() - 1), re.M)
                    if literal:
                        names[f"aws_s3_bucket.{m.group(3)}"] = literal.group(1)
    return names


def for_declaration(decl: Declaration, uploads: list[Upload], names: dict[str, str],
                    declarations: list[Declaration]) -> list[Upload]:
    """The uploads that can feed the declared environment: to its bucket when both name one; else
    those whose nearest declaring file is this one (a monorepo's other projects upload elsewhere)."""
    mine = names.get(decl.bucket or "", decl.bucket)
    known = [u for u in uploads if mine and u.bucket and names.get(u.bucket, u.bucket) == mine]
    if known:
        return known
    found = []
    for up in uploads:
        if mine and up.bucket and names.get(up.bucket, up.bucket) != mine:
            continue  # another bucket
        nearest = min(_distance(d.path, up.path) for d in declarations)
        if _distance(decl.path, up.path) == nearest:
            found.append(up)
    return found


def _distance(a: str, b: str) -> int:
    """Folders between two files' folders."""
    pa, pb = parent(a).split("/"), parent(b).split("/")
    pa, pb = ([] if pa == ["."] else pa), ([] if pb == ["."] else pb)
    common = 0
    for x, y in zip(pa, pb):
        if x != y:
            break
        common += 1
    return len(pa) + len(pb) - 2 * common


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
