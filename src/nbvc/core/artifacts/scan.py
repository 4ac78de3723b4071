"""Walking the workspace: one stat per file, symlinks followed only inside the repo.

Temp files that an nbvc of an older version (or one writing across filesystems) left beside
their targets are not part of any folder: see :mod:`nbvc.core.storage.scratch`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import NamedTuple

from nbvc.core.errors import PathError
from nbvc.core.storage.fsutil import is_within
from nbvc.core.storage.odb import ObjectStore
from nbvc.core.storage.scratch import is_temp_name

_EXEC = stat.S_IXUSR


class FileStat(NamedTuple):
    path: str  # absolute path in the workspace
    ino: int
    size: int
    mtime_ns: int
    executable: bool
    oid: str | None  # known without hashing (a symlink into the cache)


@dataclass
class DirScan:
    files: dict[str, FileStat] = field(default_factory=dict)
    empty_dirs: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # fifos, sockets, devices, dangling links
    linked: dict[str, str] = field(default_factory=dict)  # symlinks into the cache: their oids
    symlinks: list[str] = field(default_factory=list)  # other symlinks (followed: content kept)


class Scanner:
    """Scans files and directories of one repo, applying the symlink policy."""

    def __init__(self, root: str, odb: ObjectStore) -> None:
        self.root = root
        self.odb = odb

    def file(self, path: str) -> FileStat:
        if not os.path.isfile(path):  # a fifo would block the reader; a device never ends
            raise PathError(
                f"{path} is not a regular file or folder; nbvc tracks only files and folders"
            )
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return self._follow_file(path)
        return _file_stat(path, st, None)

    def directory(self, path: str) -> DirScan:
        scan = DirScan()
        self._walk(path, "", scan, {self._checked_target(path, path)})  # path may be a symlink
        return scan

    def _walk(self, path: str, prefix: str, scan: DirScan, active: set[str]) -> None:
        # The hot loop of status: one lstat per file, tuples built on tuple's C path.
        files = scan.files
        new = tuple.__new__
        empty = True
        with os.scandir(path) as entries:
            for entry in entries:
                if ".nbvc-" in entry.name and is_temp_name(entry.name):
                    continue  # a temp file of an nbvc killed mid-write
                empty = False
                if entry.is_dir(follow_symlinks=False):
                    self._walk(entry.path, f"{prefix}{entry.name}/", scan, active)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    files[prefix + entry.name] = new(
                        FileStat,
                        (
                            entry.path,
                            st.st_ino,
                            st.st_size,
                            st.st_mtime_ns,
                            st.st_mode & _EXEC != 0,
                            None,
                        ),
                    )
                elif entry.is_symlink():
                    self._walk_symlink(entry.path, prefix + entry.name, scan, active)
                else:
                    scan.skipped.append(prefix + entry.name)
        if empty and prefix:
            scan.empty_dirs.add(prefix[:-1])

    def _walk_symlink(self, link: str, rel: str, scan: DirScan, active: set[str]) -> None:
        target = self._checked_target(link, rel)
        if self.odb.oid_from_path(target) is None and (
            os.path.isdir(target) or os.path.isfile(target)
        ):
            scan.symlinks.append(rel)
        if os.path.isdir(target):
            if target in active:
                raise PathError(f"{rel} is a symlink loop; remove it or point it elsewhere")
            active.add(target)
            self._walk(target, rel + "/", scan, active)
            active.discard(target)
        elif os.path.isfile(target):
            scan.files[rel] = followed = self._follow_file(link)
            if followed.oid is not None:
                scan.linked[rel] = followed.oid
        else:
            scan.skipped.append(rel)

    def _follow_file(self, link: str) -> FileStat:
        target = self._checked_target(link, link)
        return _file_stat(link, os.stat(target), self.odb.oid_from_path(target))

    def _checked_target(self, link: str, shown: str) -> str:
        target = os.path.realpath(link)
        if not is_within(target, self.root):
            raise PathError(
                f"{shown} is a symlink to {target}, outside the repo; nbvc will not follow it. "
                "Replace it with a copy of the data, or remove it."
            )
        return target


def describe(path: str, shown: str) -> str:
    """``shown`` prefixed with what the entry at ``path`` is: "a FIFO data/pipe"."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return shown
    if stat.S_ISLNK(mode):
        what = "a symlink" if os.path.exists(path) else "a dangling symlink"
    elif stat.S_ISFIFO(mode):
        what = "a FIFO"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    else:
        what = "a file" if stat.S_ISREG(mode) else "a folder"
    return f"{what} {shown}"


def _file_stat(path: str, st: os.stat_result, oid: str | None) -> FileStat:
    return FileStat(path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode & _EXEC != 0, oid)
