"""Experiments: parameter sweeps, each point run in an isolated copy of the workspace, inline or
on Dask (a local cluster or an existing scheduler), recorded as runs under a parent sweep run;
any run restored whole (``exp apply``)."""
