"""Content-defined chunking of a file: cut points from FastCDC, ids from BLAKE3.

The cutter is pyfastcdc's Cython FastCDC (2020), measured here at 2.3 GiB/s on one core against
1.7 GiB/s for the ``fastcdc`` package (docs/chunking.md). Chunks average 64 KiB (16 KiB to
256 KiB): small enough that a 1 MiB edit costs about 1.2 MiB, large enough that a 2 GiB file is
~27,000 chunks.

A file is read in blocks of :data:`BLOCK` bytes into a few reused buffers, so memory stays
bounded whatever the file's size. A cut is only final when at least ``max_size`` bytes follow it
in the buffer (or the file ends there); the rest of a block is carried into the next one, so the
cut points are exactly those of cutting the whole file at once. A reader thread reads and cuts,
the calling thread hashes the chunks and stores the new ones, and a third thread computes the
whole file's BLAKE3 (its id): all three release the GIL for most of their work.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from blake3 import blake3

MIN_CHUNK = 16 << 10
AVG_CHUNK = 64 << 10
MAX_CHUNK = 256 << 10
BLOCK = 8 << 20
BUFFERS = 3  # one being read and cut, one being hashed, one spare


@dataclass(frozen=True)
class ChunkParams:
    min_size: int = MIN_CHUNK
    avg_size: int = AVG_CHUNK
    max_size: int = MAX_CHUNK


DEFAULT_PARAMS = ChunkParams()

# (digest, data) of each chunk of a block, in file order; ``data`` is only valid during the call
BlockSink = Callable[[list[tuple[bytes, memoryview]]], None]


def _cutter(params: ChunkParams) -> object:
    from pyfastcdc.cy import FastCDC

    return FastCDC(params.avg_size, min_size=params.min_size, max_size=params.max_size)


@dataclass(frozen=True)
class Chunked:
    """What chunking a file produced: its oid and size and its chunks ``(digest, length)``."""

    oid: str
    size: int
    chunks: list[tuple[bytes, int]]


def chunk_fd(fd: int, sink: BlockSink, params: ChunkParams = DEFAULT_PARAMS) -> Chunked:
    """Read ``fd`` to its end, handing each block's chunks to ``sink``; returns the result.

    A file of one block is read and cut on this thread. For bigger ones three threads share the
    work, each releasing the GIL for most of it: a reader reads and cuts block after block into a
    few reused buffers; this thread hashes the chunks and hands them to ``sink``; a hasher feeds
    each block to the whole-file hash meanwhile.
    """
    cutter = _cutter(params)
    if os.fstat(fd).st_size < BLOCK:  # no threads, no big buffers: many such files add fast
        return _chunk_small(fd, cutter, sink)
    free: queue.Queue[bytearray] = queue.Queue()
    for _ in range(BUFFERS):
        free.put(bytearray(BLOCK + params.max_size))
    ready: queue.Queue[_Block | BaseException] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(
        target=_read_blocks,
        args=(fd, cutter, params.max_size, free, ready, stop),
        name="nbvc-chunk",
        daemon=True,
    )
    reader.start()
    whole = blake3()
    chunks: list[tuple[bytes, int]] = []
    size = 0
    from concurrent.futures import ThreadPoolExecutor

    hasher = ThreadPoolExecutor(1, thread_name_prefix="nbvc-hash")
    try:
        while True:
            block = ready.get()
            if isinstance(block, BaseException):
                raise block
            view = memoryview(block.buf)
            hashed = hasher.submit(whole.update, view[block.fresh_start : block.fresh_end])
            size += block.fresh_end - block.fresh_start
            done = []
            for start, length in block.cuts:
                piece = view[start : start + length]
                digest = blake3(piece).digest()
                done.append((digest, piece))
                chunks.append((digest, length))
            if done:
                sink(done)
            hashed.result()
            del done, view
            free.put(block.buf)
            if block.last:
                break
    finally:
        hasher.shutdown()
        stop.set()
        free.put(bytearray(0))  # wake a reader waiting for a buffer, so it sees ``stop``
        reader.join()
    return Chunked(whole.hexdigest(), size, chunks)


def _chunk_small(fd: int, cutter: object, sink: BlockSink) -> Chunked:
    """Chunk a file that fits one block (read to its end, even if it grew meanwhile)."""
    data = bytearray()
    while piece := os.read(fd, BLOCK):
        data += piece
    view = memoryview(data)
    done = []
    chunks = []
    for chunk in _cuts(cutter, view):
        digest = blake3(chunk.data).digest()
        done.append((digest, chunk.data))
        chunks.append((digest, chunk.length))
    if done:
        sink(done)
    del done, view
    return Chunked(blake3(data).hexdigest(), len(data), chunks)


@dataclass
class _Block:
    buf: bytearray
    fresh_start: int  # the bytes read for this block (after the carried-over rest)
    fresh_end: int
    cuts: list[tuple[int, int]]  # (start, length) of each final chunk in ``buf``
    last: bool


def _read_blocks(
    fd: int,
    cutter: object,
    max_size: int,
    free: queue.Queue[bytearray],
    ready: queue.Queue[_Block | BaseException],
    stop: threading.Event,
) -> None:
    """The reader thread: fill a free buffer (after the previous block's unfinished rest), cut
    it, and pass it on; the cut is only final where ``max_size`` bytes follow or the file ends."""
    carry = b""
    try:
        while not stop.is_set():
            buf = free.get()
            if stop.is_set():
                return
            view = memoryview(buf)
            buf[: len(carry)] = carry
            filled = _read_into(fd, view[len(carry) : len(carry) + BLOCK])
            eof = filled < BLOCK
            end = len(carry) + filled
            cuts = []
            for chunk in _cuts(cutter, view[:end]):
                if not eof and end - chunk.offset < max_size:
                    break
                cuts.append((chunk.offset, chunk.length))
            consumed = end if eof else sum(length for _, length in cuts)
            carry = bytes(view[consumed:end])
            del view
            ready.put(_Block(buf, end - filled, end, cuts, eof))
            if eof:
                return
    except BaseException as exc:  # handed to the consuming thread, which raises it
        ready.put(exc)


def _cuts(cutter: object, data: memoryview) -> Iterator[_Chunk]:
    return cutter.cut_buf(data)  # type: ignore[attr-defined, no-any-return]


class _Chunk:  # the shape of pyfastcdc's Chunk (for type checking)
    offset: int
    length: int
    data: memoryview


def _read_into(fd: int, view: memoryview) -> int:
    """Fill ``view`` from ``fd``; fewer bytes only at the end of the file."""
    total = 0
    while total < len(view):
        n = os.readv(fd, [view[total:]])
        if n == 0:
            break
        total += n
    return total
