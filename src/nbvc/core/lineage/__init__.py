"""Notebook lineage: which cell produced which file version from which inputs.

The kernel tracer (:mod:`nbvc.kernel`) records every executed cell as a :class:`CellRun`; this
package stores and indexes those records, builds the lineage graph of an artifact version, renders
it, and turns it back into a runnable script. It imports no Jupyter package.
"""

from nbvc.core.lineage.graph import LineageNode, lineage
from nbvc.core.lineage.model import LINEAGE, CellRun, FileAccess
from nbvc.core.lineage.script import Script, script

__all__ = ["LINEAGE", "CellRun", "FileAccess", "LineageNode", "Script", "lineage", "script"]
