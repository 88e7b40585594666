import sys

from handbook_gen.cli import main

sys.exit(main())
