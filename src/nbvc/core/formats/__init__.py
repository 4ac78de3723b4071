"""Reading the user's data files: YAML with line numbers (``yamlio``), and params / metrics / plot
files in YAML, JSON, TOML and CSV (``datafiles``)."""
