"""``python -m nbvc.nbexec NOTEBOOK``: execute a notebook headless; used by notebook stages.

Cell outputs stream to stdout/stderr as cells finish (rich results as their plain text); a failing
cell exits with status 1 after printing what failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from nbvc.nbexec import NotebookError, execute_notebook


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nbvc.nbexec", description=__doc__)
    parser.add_argument("notebook")
    parser.add_argument("--cwd", help="folder the kernel starts in (default: the notebook's)")
    parser.add_argument("--parameters", default="{}", help="JSON object of values to inject")
    parser.add_argument("--output", help="where to write the executed notebook")
    parser.add_argument("--kernel", help="kernel name (default: the notebook's kernelspec)")
    args = parser.parse_args(argv)

    def sink(stream: str, text: str) -> None:
        out = sys.stderr if stream == "stderr" else sys.stdout
        out.write(text)
        out.flush()

    try:
        execute_notebook(
            args.notebook,
            cwd=args.cwd,
            parameters=json.loads(args.parameters),
            output_path=args.output,
            kernel_name=args.kernel,
            sink=sink,
        )
    except NotebookError as exc:
        print(f"nbvc: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
