"""``python -m nbvc``: the command line (the generated magics run verbs this way)."""

import sys

from nbvc.cli.main import main

sys.exit(main())
