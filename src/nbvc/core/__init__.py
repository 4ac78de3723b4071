"""The nbvc engine: object store, pointers, history, workspace operations.

This package imports no Jupyter module; the CLI, the kernel extension and the server are thin
front ends over :class:`nbvc.core.repo.Repo`.
"""
