"""Small filesystem primitives: atomic writes, durable renames and fast copies."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import stat
from collections.abc import Iterable, Sequence
from typing import Any

from nbvc.core.errors import PathError

FICLONE = 0x40049409  # ioctl number of Linux's FICLONE (reflink a whole file)
_COPY_CHUNK = 1 << 30


def fsync_dir(path: str) -> None:
    """Make a rename or a new entry inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dirs(paths: Iterable[str]) -> None:
    for path in set(paths):
        with contextlib.suppress(FileNotFoundError):
            fsync_dir(path)


# Above this many files, one syncfs() of the whole filesystem beats an fsync() per file.
SYNCFS_THRESHOLD = 16


def sync_files(paths: Sequence[str], any_path_on_fs: str) -> None:
    """Make the data of ``paths`` durable: an fsync each, or one syncfs for many."""
    if len(paths) > SYNCFS_THRESHOLD and _syncfs(any_path_on_fs):
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_dirs(paths: Sequence[str], any_path_on_fs: str) -> None:
    """Make new entries in the folders ``paths`` durable."""
    unique = set(paths)
    if len(unique) > SYNCFS_THRESHOLD and _syncfs(any_path_on_fs):
        return
    fsync_dirs(unique)


def _syncfs(path: str) -> bool:
    """syncfs(2) on the filesystem holding ``path``; False where it is not available."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


_SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _sync_file_range() -> Any:
    import ctypes

    try:
        func = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    func.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return func


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``length`` bytes of ``fd`` from ``offset`` to disk now
    (0: to the end), without waiting: a later fsync then finds most of the data written.

    Without this, a few GiB of new data sit in the page cache until the fsync, which then waits
    for all of it while the CPU idles. Where sync_file_range(2) is missing this does nothing.
    """
    func = _sync_file_range()
    if func is not None:
        func(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


def atomic_write_bytes(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part.

    The temp file lives in the repo's temp folder (see :mod:`.scratch`), never in the user's.
    """
    from nbvc.core.storage.scratch import temp_path_for

    tmp = temp_path_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(path) or ".")


def atomic_write_text(path: str, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def try_reflink(src_fd: int, dst_fd: int) -> bool:
    """Clone ``src_fd`` into ``dst_fd`` (copy-on-write); False where the filesystem can't."""
    try:
        fcntl.ioctl(dst_fd, FICLONE, src_fd)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY, errno.EPERM):
            return False
        raise
    return True


def copy_fd(src_fd: int, dst_fd: int, size: int) -> None:
    """Copy ``size`` bytes in the kernel (copy_file_range, falling back to sendfile)."""
    copied = 0
    try:
        while copied < size:
            n = os.copy_file_range(src_fd, dst_fd, min(_COPY_CHUNK, size - copied))
            if n == 0:
                break
            copied += n
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise
        while copied < size:
            n = os.sendfile(dst_fd, src_fd, copied, min(_COPY_CHUNK, size - copied))
            if n == 0:
                break
            copied += n
    if copied != size:
        raise OSError(errno.EIO, f"short copy: {copied} of {size} bytes")


def remove_file(path: str) -> None:
    """Unlink ``path`` even if it is read-only (the cache keeps objects read-only)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def is_within(path: str, root: str) -> bool:
    """True if the absolute ``path`` is ``root`` or lies below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


MAX_READ = 32 << 20  # the most read_within reads (formats.limits.MAX_BYTES: larger is refused)


def read_within(root: str, relpath: str, limit: int = MAX_READ) -> bytes | None:
    """The bytes of the regular file at ``relpath`` below ``root``; None if there is none.

    Symlinks are followed only while they stay inside ``root``: what was actually opened is
    checked (through ``/proc/self/fd``), so no symlink at any depth, and no swap of one between
    a check and the open, reads a file outside. A FIFO or device is refused, not waited on.
    At most ``limit + 1`` bytes are read (the caller refuses more than ``limit``).
    """
    path = os.path.join(root, relpath)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    try:
        opened = _opened_path(fd, path)
        if not is_within(opened, os.path.realpath(root)):
            raise PathError(
                f"{relpath} leads out of the repo through a symlink; nbvc does not read files "
                "outside the repo"
            )
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None
        if not stat.S_ISREG(st.st_mode):
            raise PathError(f"{relpath} is not a regular file; nbvc reads only regular files")
        chunks = []
        remaining = limit + 1
        while remaining > 0 and (chunk := os.read(fd, min(remaining, 1 << 20))):
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _opened_path(fd: int, path: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # no /proc: resolve the name instead
        return os.path.realpath(path)
