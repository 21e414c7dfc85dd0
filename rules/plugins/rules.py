"""DS201-DS206: Airflow plugins on Airflow 2.

The plugin index (rules/plugins/index.py) is built in the project phase; these rules read it.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from dagshift.linter.rule import ERROR, SAFE, SOMETIMES, WARNING, Example, FamilyRule

PLUGIN_FILE = "plugins/my_plugin.py"
EMPTY_LISTS = (
    "from airflow.plugins_manager import AirflowPlugin\n\n\n"
    "class MyPlugin(AirflowPlugin):\n    name = \"my_plugin\"\n    admin_views = []\n    menu_links = []\n"
    "    executors = []\n    operators = []\n"
)
MACROS_PLUGIN = (
    "from airflow.plugins_manager import AirflowPlugin\n\n\n"
    "def business_days(start, end):\n    return 0\n\n\n"
    "class MyPlugin(AirflowPlugin):\n    name = \"my_plugin\"\n    macros = [business_days]\n"
)
PLUGIN_SOURCE = (
    "from airflow.plugins_manager import AirflowPlugin\n"
    "from airflow.models import BaseOperator\n\n\n"
    "class MyCopyOperator(BaseOperator):\n    pass\n\n\n"
    "class MyPlugin(AirflowPlugin):\n    name = \"my_plugin\"\n    operators = [MyCopyOperator]\n"
)


class _PluginRule(FamilyRule):
    kinds = frozenset({"python"})

    def analyse(self, ctx: Any) -> Any:
        from dagshift.rules.plugins.analysis import analyse

        return analyse(ctx)


class _PluginIndexRule(_PluginRule):
    """Rules reading the plugin index build it in the project phase (once per run)."""

    project_kinds = frozenset({"python"})
    project_markers = (b"AirflowPlugin",)  # a checked file that defines a plugin (index.build)

    def collect_project(self, project: Any) -> None:
        if "plugin_index" not in project.facts:
            from dagshift.rules.plugins.index import build

            project.facts["plugin_index"] = build(project)


class PluginNamespaceImport(_PluginIndexRule):
    code = "DS201"
    name = "plugin-namespace-import"
    message = "`{old}` was a plugin import; Airflow 2 has no `airflow.{kind}.<plugin>` modules"
    severity = ERROR
    fix = SOMETIMES
    doc = """
## What it does
Reports imports of a plugin's classes through the 1.10 plugin namespaces,
`from airflow.operators.my_plugin import MyCopyOperator` (likewise `airflow.sensors.<plugin>` and
`airflow.hooks.<plugin>`), or through the bare package, `from airflow.operators import
MyCopyOperator`, where `MyCopyOperator` is listed on an `AirflowPlugin` in the repository or is
not a name the target's package has.

The plugins are found as Airflow 1.10 loaded them: every plugins folder is on `sys.path` (the
`plugins-dirs` setting, default `plugins/`; a `plugins` folder beside the folder of any file of
the run, so `airflow/plugins/` beside `airflow/dags/` and a run started in `dags/`; `[core]
plugins_folder` of an airflow.cfg of the run), and each listed class is followed through `import
x`, `from . import x`, `from x import *`, relative imports and package re-exports to the module
that defines it, with the bindings the plugin class body saw.

## Why it matters on Airflow 2
Airflow 2 no longer turns a plugin's `operators`/`sensors`/`hooks` lists into importable modules:
the import fails while the DAG is parsed and the DAG is lost. MWAA puts the unzipped plugins
folder on `sys.path`, so DAGs import the class from the plugin's own module.

## Example
```python
from airflow.operators.my_plugin import MyCopyOperator
```
Use instead:
```python
from my_plugin.operators import MyCopyOperator
```

## Fix safety
Safe when the plugin is in the repository and the class can be traced to the module that
defines it: the import is rewritten to that module, aliases kept. When the plugin or the class
cannot be found, the finding says where dagshift looked, names the provider module when exactly
one pinned provider defines the class, and offers no fix.
"""
    invalid = (
        Example("from airflow.operators.unknown_plugin import Thing\n", None, findings=((1, 46, "`airflow.operators.unknown_plugin.Thing` was a 1.10 plugin import; plugin `unknown_plugin` is not in this repository (searched no plugins folder): import `Thing` from the plugin's own module"),)),
        Example("from airflow.operators.my_plugin import MyCopyOperator\n", "from my_plugin import MyCopyOperator\n",
                files=((PLUGIN_FILE, PLUGIN_SOURCE),), findings=((1, 41, '`MyCopyOperator` is imported through `airflow.operators.my_plugin`, which Airflow has not provided since 2.0: import it from `my_plugin`'),)),
    )
    valid = (
        Example("from airflow.operators.bash import BashOperator\n", target="2.5.1"),
        # A module with no file of its own that the target still serves (with a warning: DS503).
        Example("from airflow.operators.dummy import DummyOperator\n", target="2.5.1"),
        # A submodule of the bare package, imported as a name.
        Example("from airflow.operators import bash as bash_operator\n", target="2.5.1"),
    )

    def wants(self, text: str, target: str) -> bool:
        if "airflow.operators" not in text and "airflow.sensors" not in text and "airflow.hooks" not in text:
            return False
        from dagshift.rules.imports.tables import import_statements, tables
        from dagshift.rules.plugins.index import NAMESPACES

        core = tables(target).core
        for module, names in import_statements(text):
            for dotted in (module,) if module is not None else names or ():
                parts = dotted.split(".")
                if len(parts) < 2 or parts[0] != "airflow" or parts[1] not in ("operators", "sensors", "hooks"):
                    continue
                namespace = ".".join(parts[:3])
                if namespace in NAMESPACES or namespace not in core:
                    return True  # a bare-package import, or a module the target does not have
        return False


class PluginListsOperators(_PluginRule):
    code = "DS202"
    name = "plugin-lists-operators"
    message = "`{attr}` on an AirflowPlugin is ignored by Airflow 2"
    severity = WARNING
    fix = SOMETIMES
    tokens = ("AirflowPlugin",)

    def wants(self, text: str, target: str) -> bool:
        return re.search(r"(?:operators|sensors|hooks)\s*=(?!=)", text) is not None  # `operators = [...]`
    doc = """
## What it does
Reports `operators`, `sensors` and `hooks` lists on an `AirflowPlugin` subclass.

## Why it matters on Airflow 2
Airflow 2 does not register a plugin's operators or sensors anywhere (hooks are only listed for
the UI): DAGs import these classes from their modules (DS201). The lists are dead weight that
suggests otherwise.

## Example
```python
class MyPlugin(AirflowPlugin):
    name = "my_plugin"
    operators = [MyCopyOperator]
```

## Fix safety
Unsafe: deletes the attribute. Keep it while the same plugins still serve an Airflow 1.10
environment during the migration. Safe for an empty list, which nothing can rely on.
"""
    invalid = (
        Example(EMPTY_LISTS, EMPTY_LISTS.replace("    operators = []\n", ""), path=PLUGIN_FILE, findings=((9, 5, '`operators` is empty, and Airflow ignores it since 2.0: delete it'),)),
        Example(PLUGIN_SOURCE, PLUGIN_SOURCE.replace("    operators = [MyCopyOperator]\n", ""), path=PLUGIN_FILE, findings=((11, 5, '`operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules'),)),
    )

    valid = (Example(PLUGIN_SOURCE.replace("    operators = [MyCopyOperator]\n", "    macros = []\n"), path=PLUGIN_FILE),)


class FlaskAdminViews(_PluginRule):
    code = "DS203"
    name = "flask-admin-plugin-ui"
    message = "Flask-Admin UI is gone in Airflow 2"
    severity = ERROR
    # A `flask_admin` import fails on every target; `admin_views`/`menu_links` are ignored.
    mixed = True
    fix = SOMETIMES
    tokens = ("admin_views", "menu_links", "flask_admin")
    doc = """
## What it does
Reports any `flask_admin` import (error), and `admin_views` and `menu_links` on an `AirflowPlugin`
(warning; an empty list is reported as one to delete).

## Why it matters on Airflow 2
Airflow 2 removed the Flask-Admin web UI: `flask_admin` is not installed, so importing it fails
(the plugin, and every DAG importing it, breaks), and `admin_views`/`menu_links` are ignored
with a warning: the plugin loads, its views do not show. The Flask-AppBuilder equivalents are
`appbuilder_views` (`{"name", "category", "view"}` with a `flask_appbuilder.BaseView`) and
`appbuilder_menu_items` (`{"name", "href", "category"}`).

## Example
```python
from flask_admin import BaseView
```

## Fix safety
Safe for an empty `admin_views = []` / `menu_links = []`: the line is deleted. None otherwise: the
views have to be rewritten for Flask-AppBuilder.
"""
    invalid = (Example(EMPTY_LISTS, EMPTY_LISTS.replace("    admin_views = []\n    menu_links = []\n", ""),
                       path=PLUGIN_FILE, findings=((6, 5, '`admin_views` is empty, and Airflow ignores it since 2.0: delete it'), (7, 5, '`menu_links` is empty, and Airflow ignores it since 2.0: delete it'))),
               Example("from flask_admin import BaseView, expose\n", None, path=PLUGIN_FILE, findings=((1, 25, '`flask_admin.BaseView`: Flask-Admin is not installed since Airflow 2; write the view for Flask-AppBuilder (`appbuilder_views`)'), (1, 35, '`flask_admin.expose`: Flask-Admin is not installed since Airflow 2; write the view for Flask-AppBuilder (`appbuilder_views`)'))),)

    valid = (Example("from airflow.plugins_manager import AirflowPlugin\nfrom flask_appbuilder import BaseView, expose\n\n\n"
                         "class MyPlugin(AirflowPlugin):\n    name = \"my_plugin\"\n    appbuilder_views = []\n", path=PLUGIN_FILE),)


class PluginExecutors(_PluginRule):
    code = "DS204"
    name = "plugin-executors"
    message = "plugin executors need their full import path in `[core] executor` on Airflow 2"
    severity = WARNING
    fix = SOMETIMES
    tokens = ("executors",)
    doc = """
## What it does
Reports `executors` on an `AirflowPlugin` subclass.

## Why it matters on Airflow 2
Airflow 2 no longer selects a plugin executor by the `plugin_name.ExecutorName` shorthand: the
`[core] executor` option must name the executor's full import path (e.g.
`my_plugin.executors.MyExecutor`). On MWAA the executor is managed and cannot be replaced.

## Example
```python
class MyPlugin(AirflowPlugin):
    name = "my_plugin"
    executors = [MyExecutor]
```

## Fix safety
Safe for an empty `executors = []`: the line is deleted. None otherwise: set `[core] executor` to
the full path and drop the attribute.
"""
    invalid = (
        Example(EMPTY_LISTS, EMPTY_LISTS.replace("    executors = []\n", ""), path=PLUGIN_FILE, findings=((8, 5, '`executors` is empty, and Airflow ignores it since 2.0: delete it'),)),
        Example(
            "from airflow.plugins_manager import AirflowPlugin\nfrom my_executor import MyExecutor\n\n\n"
            "class MyPlugin(AirflowPlugin):\n    name = \"my_plugin\"\n    executors = [MyExecutor]\n",
            None, path=PLUGIN_FILE, findings=((7, 5, "plugin `executors` are not selectable by plugin name since Airflow 2: set `[core] executor` to the executor's full import path"),)),
    )

    valid = (Example(PLUGIN_SOURCE, path=PLUGIN_FILE),)


class FlaskAppBuilderUi(_PluginRule):
    code = "DS208"
    name = "flask-appbuilder-plugin-ui"
    message = "Flask-AppBuilder plugin UI on Airflow 3"
    severity = WARNING
    tokens = ("appbuilder_views", "appbuilder_menu_items", "flask_blueprints")

    @classmethod
    def applies_on(cls) -> Optional[list[str]]:
        from dagshift.linter.tables import load_table

        table = load_table("plugin_api", "targets")["targets"]
        return [t for t, facts in table.items() if "fastapi_apps" in facts["attributes"]]

    doc = """
## What it does
On targets whose `AirflowPlugin` takes `fastapi_apps` (Airflow 3, read from the core wheel),
reports non-empty `appbuilder_views`, `appbuilder_menu_items` and `flask_blueprints`.

## Why it matters on Airflow 3
Airflow 3's UI is React on FastAPI. Flask-AppBuilder views, menu items and blueprints load only
through the FAB provider's compatibility layer, which Airflow deprecates, and MWAA 3.0.6 does not
load them: the plugin imports, its pages are gone. Their successors are `fastapi_apps` (3.0) and
`external_views` / `react_apps` (3.1 and later, where the target's wheel has them).

## Example
```python
class MyPlugin(AirflowPlugin):
    name = "my_plugin"
    appbuilder_views = [{"name": "Reports", "category": "Tools", "view": ReportsView()}]
```

## Fix safety
None: the views have to be rewritten for FastAPI / React.
"""
    invalid = (
        Example("from airflow.plugins_manager import AirflowPlugin\n\n\nclass MyPlugin(AirflowPlugin):\n"
                "    name = \"my_plugin\"\n    flask_blueprints = [bp]\n", None, path=PLUGIN_FILE, target="3.0.6",
                findings=((6, 5, "`flask_blueprints` is Flask-AppBuilder UI: Airflow 3.0.6 loads it only through the FAB provider's deprecated compatibility layer, and MWAA 3.0.6 does not load it; rewrite it as `fastapi_apps`"),)),
    )
    valid = (Example("from airflow.plugins_manager import AirflowPlugin\n\n\nclass MyPlugin(AirflowPlugin):\n"
                     "    name = \"my_plugin\"\n    flask_blueprints = [bp]\n", path=PLUGIN_FILE, target="2.11.0"),)


class PluginMacrosImport(_PluginIndexRule):
    code = "DS205"
    name = "plugin-macros-import"
    message = "`airflow.macros.<plugin>` does not exist while DAG files are parsed on Airflow 2"
    severity = ERROR
    fix = SOMETIMES
    tokens = ("airflow.macros.",)
    doc = """
## What it does
Reports Python imports of a plugin's macros through `airflow.macros.<plugin_name>`.

## Why it matters on Airflow 2
Airflow 2 still builds `airflow.macros.<plugin_name>`, but only when it prepares a task's template
context (`TaskInstance.get_template_context` calls `integrate_macros_plugins`), never while the
DAG processor imports DAG files: the import fails at parse time. Templates are fine:
`{{ macros.my_plugin.my_macro() }}` renders on Airflow 2 as it did on 1.10 (checked in the
2.0.2-2.11.2 wheels), so they are not reported.

## Example
```python
from airflow.macros.my_plugin import business_days
```

## Fix safety
Safe when the plugin is in the repository: import the function from the plugin's module.
"""
    invalid = (Example("from airflow.macros.company_plugin import business_days\n", None, findings=((1, 43, "`airflow.macros.company_plugin.business_days` was a 1.10 macros import; plugin `company_plugin` is not in this repository (searched no plugins folder): import `business_days` from the plugin's own module"),)),
        Example("from airflow.macros.my_plugin import business_days\n", "from my_plugin import business_days\n",
                files=((PLUGIN_FILE, MACROS_PLUGIN),), findings=((1, 38, '`business_days` is imported through `airflow.macros.my_plugin`, which Airflow has not provided since 2.0: import it from `my_plugin`'),)),)
    valid = (Example('bash_command = "echo {{ macros.company_plugin.business_days(ds, next_ds) }}"\n'),)



class ApplyDefaults(_PluginRule):
    code = "DS206"
    name = "apply-defaults-decorator"
    message = "`@apply_defaults` is not needed on Airflow 2"
    severity = WARNING
    fix = SAFE
    tokens = ("apply_defaults",)
    doc = """
## What it does
Reports `@apply_defaults` on an operator's `__init__`.

## Why it matters on Airflow 2
Airflow 2's BaseOperator metaclass applies `default_args` to every operator; the decorator is
deprecated from 2.1 (a warning at every parse) and gone in Airflow 3. Its 1.10 import
`from airflow.utils import apply_defaults` fails on every 2.x (DS101).

## Example
```python
from airflow.utils.decorators import apply_defaults

class MyCopyOperator(BaseOperator):
    @apply_defaults
    def __init__(self, source, **kwargs):
        super().__init__(**kwargs)
```

## Fix safety
Safe: removes the decorator, and its import when nothing else in the file uses it.
"""
    invalid = (
        Example(
            "from airflow.models import BaseOperator\nfrom airflow.utils.decorators import apply_defaults\n\n\n"
            "class MyCopyOperator(BaseOperator):\n    @apply_defaults\n    def __init__(self, **kwargs):\n"
            "        super().__init__(**kwargs)\n",
            "from airflow.models import BaseOperator\n\n\n"
            "class MyCopyOperator(BaseOperator):\n    def __init__(self, **kwargs):\n"
            "        super().__init__(**kwargs)\n",
            path=PLUGIN_FILE, findings=((6, 6, '`@apply_defaults` is not needed since Airflow 2: BaseOperator applies default_args itself'),)),
    )

    valid = (Example("from airflow.models import BaseOperator\n\n\nclass MyCopyOperator(BaseOperator):\n"
                         "    def __init__(self, source, **kwargs):\n        super().__init__(**kwargs)\n        self.source = source\n"),)


# `.__init__(` (a base class's, through super() or by name), and a `name=` keyword in its arguments.
SUPER_INIT = re.compile(r"\.__init__\(")
EXPLICIT_KEYWORD = re.compile(r"\w\s*=(?!=)")


class SuperInitArguments(_PluginRule):
    code = "DS207"
    name = "super-init-unknown-argument"
    message = "`{arg}` is not an argument of {base} on Airflow {target}"
    severity = ERROR
    tokens = ("__init__",)

    def wants(self, text: str, target: str) -> bool:
        # Only a base-class `__init__(...)` call that passes a keyword of its own can pass a wrong
        # one: `super().__init__(**kwargs)` (most custom operators) has nothing to check.
        for call in SUPER_INIT.finditer(text):
            close = text.find(")", call.end())
            inner = text[call.end():close] if close >= 0 else ""
            if close < 0 or "(" in inner or EXPLICIT_KEYWORD.search(inner):
                return True  # a keyword, or a call too nested to read: the parser decides
        return False
    doc = """
## What it does
In a custom operator or sensor (a class deriving from BaseOperator or BaseSensorOperator),
reports keyword arguments its `__init__` passes up to `super().__init__(...)` that the base class
does not accept on the target (`provide_context=True`, `xcom_push=...`, ...). The accepted
arguments are read from each target's core wheel (`rules/dag_api/data/operator_args.json`).

## Why it matters on Airflow 2
Airflow 1.10 logged a warning for unknown arguments; Airflow 2's BaseOperator raises
"Invalid arguments were passed to MyOperator" the moment a DAG creates the task, so every DAG
that uses the operator is broken.

## Example
```python
class MyCopyOperator(BaseOperator):
    def __init__(self, source, **kwargs):
        super().__init__(provide_context=True, **kwargs)
```

## Fix safety
None: drop the argument, or handle it in the operator itself (`do_xcom_push` replaced `xcom_push`).
"""
    invalid = (
        Example(
            "from airflow.models import BaseOperator\n\n\n"
            "class MyCopyOperator(BaseOperator):\n    def __init__(self, source, **kwargs):\n"
            "        super(MyCopyOperator, self).__init__(provide_context=True, **kwargs)\n",
            None, path=PLUGIN_FILE, target="2.5.1", findings=((6, 46, '`provide_context` is not an argument of BaseOperator on Airflow 2.5.1: creating a `MyCopyOperator` raises "Invalid arguments were passed"'),)),
    )
    valid = (
        Example(
            "from airflow.models import BaseOperator\n\n\n"
            "class MyCopyOperator(BaseOperator):\n    def __init__(self, source, **kwargs):\n"
            "        super().__init__(retries=2, **kwargs)\n",
            path=PLUGIN_FILE, target="2.5.1",
        ),
    )

