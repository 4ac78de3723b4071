"""Comparing params, metrics and plots across runs, the workspace and git revisions.

``compare`` builds the tables behind ``params diff`` / ``metrics show|diff``, ``plot_data`` and
``plots`` the Vega-Lite specs the CLI, the notebook and the panel render.
"""
