"""Artifacts: tracked files and folders, their pointer files and their version history.

``pointer`` and ``paths`` (what is tracked where), ``history`` and ``refs`` (versions, tags,
``path@ref``), ``scan``/``build``/``workspace`` (hashing the workspace into objects), and the
verbs ``add``, ``status``, ``checkout`` and ``diff``. Built on :mod:`nbvc.core.storage`.
"""
