"""Reclaiming the space of chunks nothing references: delete dead packs, rewrite mostly-dead ones.

Safe at every point of a crash, because nothing is deleted before what replaces it is durable:

1. the live chunks of the packs to rewrite are copied into new packs under temp names (a crash
   here leaves temp files only: the repack is rolled back, and the next gc removes them);
2. the new packs are synced and published (pack, then index, then the folder synced);
3. only then are the old packs removed, index first.

A crash between 2 and 3 leaves each live chunk in two packs. The next gc counts every chunk once
(in the pack with the largest share of live bytes), so the old copies are garbage and the repack is
finished then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from blake3 import blake3

from nbvc.core.errors import CorruptObjectError
from nbvc.core.storage import fsutil
from nbvc.core.storage.chunks import read_run, runs_of
from nbvc.core.storage.packs import Entry, PackStore, PackWriter

REPACK_DEAD_FRACTION = 0.5  # rewrite a pack once at least this share of its bytes is garbage
TMP_PREFIX = "pack-"


@dataclass
class PackUsage:
    """How much of one pack is still needed."""

    name: str
    size: int  # bytes of chunk data
    live: list[tuple[bytes, int, int]] = field(default_factory=list)  # digest, offset, length

    @property
    def live_bytes(self) -> int:
        return sum(length for _, _, length in self.live)

    @property
    def dead_bytes(self) -> int:
        return self.size - self.live_bytes


@dataclass
class RepackPlan:
    remove: list[PackUsage] = field(default_factory=list)  # nothing live: delete
    rewrite: list[PackUsage] = field(default_factory=list)  # mostly dead: copy the live part
    kept: list[PackUsage] = field(default_factory=list)

    @property
    def freed_bytes(self) -> int:
        return sum(p.size for p in self.remove) + sum(p.dead_bytes for p in self.rewrite)


def plan(packs: PackStore, live: set[bytes]) -> RepackPlan:
    """Sort the packs by what is live in them. A chunk held by several packs (after an
    interrupted repack) counts in one only: the one with the largest share of live bytes, so
    that the others become garbage rather than be rewritten again."""
    indexes = {name: packs.entries(name) for name in packs.names()}

    def live_share(name: str) -> float:
        entries = indexes[name]
        total = sum(e.length for e in entries) or 1
        return sum(e.length for e in entries if e.digest in live) / total

    owned: set[bytes] = set()
    result = RepackPlan()
    for name in sorted(indexes, key=lambda n: (-live_share(n), n)):
        usage = PackUsage(name, 0)
        for digest, offset, length in indexes[name]:
            usage.size += length
            if digest in live and digest not in owned:
                owned.add(digest)
                usage.live.append((digest, offset, length))
        if not usage.live:
            result.remove.append(usage)
        elif usage.dead_bytes >= REPACK_DEAD_FRACTION * usage.size:
            result.rewrite.append(usage)
        else:
            result.kept.append(usage)
    return result


def execute(packs: PackStore, tmp_dir: str, repack: RepackPlan) -> int:
    """Carry out a plan (see the module's docstring for the order); returns the bytes freed."""
    writer = PackWriter(tmp_dir)
    try:
        for usage in repack.rewrite:
            _copy_live(packs, usage, writer)
        staged = writer.finish()
        packs.publish(staged)
    except BaseException:
        writer.discard()  # rolled back: the temp packs go, the old ones stay
        raise
    freed = 0
    published = {item.name for item in staged}  # the same chunks again: the same name
    for usage in [*repack.remove, *repack.rewrite]:
        if usage.name not in published:
            freed += packs.remove(usage.name)
    return freed - sum(os.path.getsize(packs.path(name)) for name in published)


def _copy_live(packs: PackStore, usage: PackUsage, writer: PackWriter) -> None:
    fd = os.open(packs.path(usage.name), os.O_RDONLY)
    try:
        for run in runs_of(usage.name, [Entry(*c) for c in usage.live]):
            pieces = []
            for digest, data in read_run(fd, run):
                if blake3(data).digest() != digest:  # never spread a damaged chunk
                    raise CorruptObjectError(
                        f"chunk {digest.hex()[:12]} in pack {usage.name[:12]} is damaged; gc "
                        "stopped without deleting anything. Run `nbvc fsck` first."
                    )
                pieces.append((digest, data))
            writer.add(pieces)
    finally:
        os.close(fd)


def remove_leftovers(packs: PackStore, tmp_dir: str) -> int:
    """Delete what interrupted pack writes left behind: packs without an index and temp packs.

    Only while no other process writes packs (gc holds the exclusive lock). Returns bytes freed.
    """
    freed = 0
    for name in packs.orphans():
        path = packs.path(name)
        freed += os.path.getsize(path)
        fsutil.remove_file(path)
    for entry in os.scandir(tmp_dir):
        if entry.name.startswith(TMP_PREFIX) and entry.is_file():
            freed += entry.stat().st_size
            fsutil.remove_file(entry.path)
    return freed
