"""dagshift's one import name: `dagshift.linter`, `dagshift.rules` and `dagshift.fixers`.

Installed, setuptools maps those packages into this one (see pyproject.toml), so dagshift never
claims the generic top-level names `linter` or `rules`. In a checkout that is not installed, this
package's path is extended to the repository root, where the three folders live, so that
`python -m dagshift` works there too.
"""

import os

_here = os.path.dirname(os.path.abspath(__file__))
if not os.path.isdir(os.path.join(_here, "linter")):  # a checkout: the folders are beside this one
    __path__.append(os.path.dirname(_here))  # noqa: F821

from dagshift.linter import __version__  # noqa: E402  (re-exported)

__all__ = ["__version__"]
