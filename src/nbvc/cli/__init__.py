"""The `nbvc` command line: one module per verb over :class:`nbvc.core.repo.Repo`."""
