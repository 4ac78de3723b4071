"""Runs: every repro (and every process that logs params or metrics) as an immutable record.

``run_record`` builds and writes run records, ``run_index`` keeps them queryable in SQLite (and is
the run cache's lookup table), ``logging`` is the ``nbvc.log_param``/``log_metric`` API,
``listing`` and ``table`` are what ``nbvc runs`` shows, ``direction`` which way a metric improves.
Comparisons across runs live in :mod:`nbvc.core.metrics`.
"""
