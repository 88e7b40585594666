"""ProperDocs: the continuation of MkDocs 1.x, a drop-in under the same Python API.

`import properdocs.replacement` makes every later `import mkdocs…` load ProperDocs' module of the
same name, Material's among them; so it must come before anything in this process loaded MkDocs.
"""

from __future__ import annotations

import sys

from handbook_gen.engines.engine import EngineError

_loaded = sys.modules.get("mkdocs")
if _loaded is not None and _loaded.__name__ != "properdocs":
    # Half MkDocs, half ProperDocs would build with either; refuse instead (a bug of ours).
    raise EngineError("ProperDocs cannot be used in a process that has already loaded MkDocs")

import properdocs.replacement  # noqa: E402, F401  (the redirect is the import's effect)

from handbook_gen.engines.engine_mkdocs import MkDocsEngine  # noqa: E402

ENGINE = MkDocsEngine("properdocs")
