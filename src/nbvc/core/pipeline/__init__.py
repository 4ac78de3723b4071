"""Pipelines: `nbvc.yaml` (DVC's `dvc.yaml` stage schema), `nbvc.lock`, the DAG and `repro`.

`loader` reads and validates the pipeline file into :class:`definition.Pipeline`, `dag` orders and
selects stages, `repro` runs them (commands or notebooks), recording hashes in `nbvc.lock`,
outputs as versions and every repro as a run (:mod:`nbvc.core.runs`).
"""
