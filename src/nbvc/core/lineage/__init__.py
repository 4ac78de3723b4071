"""Notebook lineage: which cell produced which file version from which inputs.

The kernel tracer (:mod:`nbvc.kernel`) records every executed cell as a
:class:`~nbvc.core.lineage.cell_record.CellRecord`. Here: ``cell_record`` (value types),
``store`` and ``lineage_index`` (records and their SQLite tables), ``files`` (naming the files a
cell touched), ``graph`` (the lineage of an artifact version) and ``render``,
``session``/``slicing`` (dependencies between cells), ``script`` (the code that made a version,
as a script) and ``lineage_api`` (``repo.lineage``). No Jupyter imports; modules are imported on
use, so loading the kernel extension stays fast.
"""
