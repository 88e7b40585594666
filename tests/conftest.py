"""Import handbook_gen from this checkout, whatever the installed copy in the environment is.

(An editable install made before handbook_gen/__init__.py existed registers the package as a
namespace package, and then `from . import __version__` fails outside the project folder.)
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
