"""`.dvc` files: what `dvc add` (and `dvc import`) tracks, each out with its md5.

outs:
- md5: 3ff5ad82bc582decc8bb030b1186482d     # a folder: <md5>.dir, with nfiles
  size: 1803
  hash: md5                                  # absent in DVC 2 files: md5-dos2unix
  path: data.csv                             # relative to the .dvc file's folder
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from nbvc.core.errors import NbvcError
from nbvc.core.formats.yamlio import loads_plain
from nbvc.core.pipeline.dvc_lock import entry_hash
from nbvc.core.pipeline.lockfile import Hash

SUFFIX = ".dvc"
_SKIPPED = frozenset({".git", ".dvc", ".nbvc", "node_modules", "__pycache__"})


@dataclass(frozen=True)
class TrackedOut:
    dvc_file: str  # repo-relative path of the .dvc file
    path: str  # repo-relative path of the data
    hash: Hash  # oid is the md5 (folders: <md5>.dir)
    hash_name: str  # md5 or md5-dos2unix


def find_dvc_files(root: str) -> list[str]:
    """Every `.dvc` file in the project (repo-relative), outside `.dvc/`, `.git/` and `.nbvc/`."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found += [prefix + n for n in sorted(names) if n.endswith(SUFFIX) and n != SUFFIX]
    return found


def read_dvc_file(root: str, relpath: str) -> list[TrackedOut]:
    """The outs a `.dvc` file tracks; a file DVC could not have written is an error."""
    try:
        with open(os.path.join(root, relpath), encoding="utf-8") as handle:
            doc = loads_plain(handle.read(), relpath)
    except (OSError, UnicodeDecodeError) as exc:
        raise NbvcError(f"{relpath}: cannot be read ({exc})") from None
    except Exception as exc:  # malformed YAML
        raise NbvcError(f"{relpath}: not a valid .dvc file ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("outs"), list):
        raise NbvcError(f"{relpath}: not a .dvc file (no 'outs' list)")
    base = posixpath.dirname(relpath)
    outs = []
    for i, item in enumerate(doc["outs"]):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise NbvcError(f"{relpath}: out {i + 1} has no path")
        parsed = entry_hash(item)
        if parsed is None:
            raise NbvcError(
                f"{relpath}: out {item['path']} has no md5 (not committed to DVC's cache yet); "
                "run `dvc commit` first"
            )
        path = posixpath.normpath(posixpath.join(base or ".", item["path"]))
        if path.startswith("../") or posixpath.isabs(item["path"]):
            raise NbvcError(f"{relpath}: out {item['path']} points outside the project")
        outs.append(TrackedOut(relpath, path, parsed[0], parsed[1]))
    return outs
