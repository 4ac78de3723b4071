# IPython profile setting that binder/postBuild installs for the Binder user: every kernel
# (and terminal IPython) starts with `%load_ext nbvc` done.
c = get_config()  # noqa: F821 - provided by IPython when it loads this file
c.InteractiveShellApp.extensions = ["nbvc"]
