"""The files behind a plot definition: a file, every plot file in a folder, or a glob's matches;
a named plot reads the files its ``y`` (and ``x``) map to columns."""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Callable

from nbvc.core.pipeline.definition import PlotDef

DATA_SUFFIXES = (".json", ".yaml", ".yml", ".csv", ".tsv")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
_GLOB = set("*?[")

IsFile = Callable[[str], bool]
FilesUnder = Callable[[str], list[str]]  # folder -> repo-relative files inside it


def is_plot_file(path: str) -> bool:
    return path.lower().endswith(DATA_SUFFIXES + IMAGE_SUFFIXES)


def plot_files(plot: PlotDef, is_file: IsFile, files_under: FilesUnder) -> list[str]:
    """The repo-relative files ``plot`` draws (each a plot of its own for folders and globs)."""
    if not plot.is_path:
        return plot.files()
    if _GLOB & set(plot.id):
        base = posixpath.dirname(plot.id.split("*")[0].split("?")[0].split("[")[0])
        return [f for f in files_under(base) if fnmatch.fnmatchcase(f, plot.id) and is_plot_file(f)]
    if is_file(plot.id):
        return [plot.id]
    return [f for f in files_under(plot.id) if is_plot_file(f)]


def workspace_files(root: str) -> tuple[IsFile, FilesUnder]:
    def is_file(relpath: str) -> bool:
        return os.path.isfile(os.path.join(root, relpath))

    def files_under(folder: str) -> list[str]:
        top = os.path.join(root, folder) if folder else root
        found = []
        for current, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            rel = os.path.relpath(current, root)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            found += [prefix + name for name in sorted(names)]
        return found

    return is_file, files_under
