"""Floor for status-like scenarios: stat every file under a path, in a fresh interpreter.

Usage: ``python benchmarks/stat_walk.py PATH``. Nothing can tell what changed with less work.
"""

import os
import sys


def walk(path: str) -> int:
    count = 0
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            count += walk(entry.path)
        else:
            entry.stat(follow_symlinks=False)
            count += 1
    return count


if __name__ == "__main__":
    target = sys.argv[1]
    print(walk(target) if os.path.isdir(target) else os.stat(target).st_size)
