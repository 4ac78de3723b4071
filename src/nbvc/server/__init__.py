"""The jupyter-server extension: REST API over :class:`nbvc.Repo` for the JupyterLab panel.

Imported only by jupyter-server (through ``nbvc._jupyter_server_extension_points``), never by
``import nbvc``, the CLI or the kernel extension.
"""
