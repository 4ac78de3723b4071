"""``python -m nbvc``: the command line (the generated magics run verbs this way)."""

import sys

if __name__ == "__main__":
    from nbvc.cli.main import main

    sys.exit(main())
