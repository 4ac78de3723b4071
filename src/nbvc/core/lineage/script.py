"""`nbvc lineage --script PATH`: the code that produced an artifact version, as one script.

The cells that wrote the content are taken with every earlier cell of the same kernel session
they depend on (see :mod:`nbvc.core.lineage.session`), in execution order. Inputs produced
elsewhere (another session, a pipeline stage, by hand) are listed in the header with the version
that was read, so the script can be run against exactly those inputs.
"""

from __future__ import annotations

import ast
import re
import time
from dataclasses import dataclass

from nbvc.core.errors import NoProducerError
from nbvc.core.lineage.cell_record import CellRecord, FileAccess
from nbvc.core.lineage.graph import CELL, STAGE, LineageNode, lineage
from nbvc.core.lineage.session import AnalysedCell, SessionAnalysis
from nbvc.core.lineage.slicing import MARK
from nbvc.core.lineage.stages import stage_command
from nbvc.core.repo import Repo
from nbvc.core.storage.hashing import short

# a line magic (%load_ext, %cd, %version_add, ...) as to_python wrote it
_LINE_MAGIC = re.compile(r"^\s*pass  " + re.escape(MARK) + r"%(?!%)")


@dataclass(frozen=True)
class Script:
    target: str
    text: str
    cells: list[CellRecord]
    inputs: list[FileAccess]  # read by the script, produced outside it
    stages: list[str]  # producing pipeline stages, which a script cannot replay


def script(repo: Repo, spec: str) -> Script:
    root = lineage(repo, spec)
    producers = [child.cell for child in root.children if child.kind == CELL and child.cell]
    stages = [_stage_line(repo, child) for child in root.children if child.kind == STAGE]
    if not producers and not stages:
        raise NoProducerError(
            f"nbvc has no record of a notebook cell that produced {root.label}; lineage is "
            "recorded for cells run after `%load_ext nbvc` in a kernel inside the repo"
        )
    chosen: list[AnalysedCell] = []
    for session in dict.fromkeys(cell.session for cell in producers):
        targets = {cell.id for cell in producers if cell.session == session}
        chosen += SessionAnalysis(repo, session).closure(targets)
    chosen.sort(key=lambda c: (c.run.started, c.run.id))
    inputs = _external_inputs(chosen)
    text = _render(root, chosen, inputs, stages)
    return Script(root.label, text, [c.run for c in chosen], inputs, stages)


def _external_inputs(cells: list[AnalysedCell]) -> list[FileAccess]:
    """Files the cells read that no earlier cell of the script wrote (first read of each)."""
    written: set[str] = set()
    inputs: dict[str, FileAccess] = {}
    for cell in cells:
        for read in cell.run.reads:
            if read.path not in written and read.path not in inputs:
                inputs[read.path] = read
        written |= {f.path for f in cell.run.writes}
    return sorted(inputs.values(), key=lambda f: f.path)


def _render(
    root: LineageNode,
    cells: list[AnalysedCell],
    inputs: list[FileAccess],
    stages: list[str],
) -> str:
    oid = root.data.get("oid")
    lines = [
        "#!/usr/bin/env python3",
        f"# Reproduces {root.label}" + (f" ({short(oid)})" if oid else "") + ": the notebook code",
        "# that produced it, in execution order, as recorded by nbvc lineage.",
        "# Run it from the root of the nbvc repository.",
    ]
    lines += _input_lines(inputs) + [f"# Produced by {stage}" for stage in stages]
    uses_cwd = any(cell.run.cwd for cell in cells)
    if uses_cwd:
        lines += ["", "import os as _nbvc_os", "", "_NBVC_ROOT = _nbvc_os.getcwd()"]
    cwd = ""
    for cell in cells:
        lines += ["", "", _cell_header(cell.run)]
        if uses_cwd and cell.run.cwd != cwd:
            cwd = cell.run.cwd
            lines.append(f"_nbvc_os.chdir(_nbvc_os.path.join(_NBVC_ROOT, {cwd!r}))")
        lines.append(_without_line_magics(cell.code).rstrip())
    return "\n".join(lines) + "\n"


def _without_line_magics(code: str) -> str:
    """``code`` without its line magics, which drive the notebook, not the computation (shell
    commands and cell magics stay, as comments). Kept where a magic is all a block holds."""
    kept = "\n".join(line for line in code.splitlines() if not _LINE_MAGIC.match(line))
    try:
        ast.parse(kept)
    except SyntaxError:
        return code
    return kept


def _stage_line(repo: Repo, node: LineageNode) -> str:
    name, run = node.data["stage"], node.data.get("run") or ""
    command = stage_command(repo, name, run)
    ran = f", which ran: {command}" if command else ""
    return f"pipeline stage {name} (run {run.rsplit('-', 1)[-1]}){ran}; `nbvc repro {name}`"


def _input_lines(inputs: list[FileAccess]) -> list[str]:
    if not inputs:
        return []
    lines = ["#", "# Inputs it reads (restore these versions first to get the same result):"]
    for read in inputs:
        where = f"{read.artifact}@v{read.version}" if read.artifact and read.version else None
        restore = f"  (`nbvc checkout {where}`)" if where else ""
        oid = short(read.oid) if read.oid else "unknown content"
        inside = f" in {where}" if where and read.artifact != read.path else ""
        lines.append(f"#   {read.path}  {oid}{inside}{restore}")
    return lines


def _cell_header(cell: CellRecord) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(cell.started))
    where = cell.notebook or "kernel"
    ident = f" cell {cell.cell_id}" if cell.cell_id else ""
    count = f"[{cell.execution_count}]" if cell.execution_count is not None else "[ ]"
    return f"# %% {count} {where}{ident}, {when} (lineage {cell.id})"
