"""Runs: every repro (and every process that logs params or metrics) as an immutable record.

`records` builds and writes run records, `index` keeps them queryable in SQLite (and is the run
cache's lookup table), `logging` is the ``nbvc.log_param``/``log_metric`` API, `compare` diffs
params and metrics between runs, the workspace and git revisions, and `plots` builds the
Vega-Lite specs that the CLI, the notebook and the JupyterLab panel all render.
"""
