"""File manifests: how a file stored as chunks is put back together.

A chunked file keeps its id (the BLAKE3 of its whole content); its manifest lists the BLAKE3
digest and length of each content-defined chunk, in order. The manifest carries the file's
digest and size and ends with a BLAKE3 checksum of everything before it, so a damaged manifest is
told apart from a good one without reading a single chunk. Binary, little-endian::

    b"NBVCMAN1" | size u64 | count u32 | file digest 32 B | count x (chunk digest 32 B, length u32)
    | BLAKE3 of all the above 32 B
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property

from blake3 import blake3

MAGIC = b"NBVCMAN1"
_HEAD = struct.Struct("<8sQI32s")
_ENTRY = struct.Struct("<32sI")
_SUM = 32


class ManifestError(ValueError):
    """The bytes are not a valid manifest (damaged or truncated)."""


@dataclass(frozen=True)
class Manifest:
    """A chunked file: its oid, size and chunks ``(digest, length)`` in file order."""

    oid: str
    size: int
    chunks: tuple[tuple[bytes, int], ...]

    def serialize(self) -> bytes:
        return self._serialized

    @cached_property
    def _serialized(self) -> bytes:
        body = bytearray(_HEAD.pack(MAGIC, self.size, len(self.chunks), bytes.fromhex(self.oid)))
        for digest, length in self.chunks:
            body += _ENTRY.pack(digest, length)
        body += blake3(body).digest()
        return bytes(body)

    @cached_property
    def digests(self) -> frozenset[bytes]:
        return frozenset(digest for digest, _ in self.chunks)

    @classmethod
    def deserialize(cls, data: bytes, oid: str | None = None) -> Manifest:
        """Parse and check a manifest; with ``oid``, also check that it describes that file."""
        if len(data) < _HEAD.size + _SUM or blake3(data[:-_SUM]).digest() != data[-_SUM:]:
            raise ManifestError("manifest checksum mismatch")
        magic, size, count, digest = _HEAD.unpack_from(data)
        if magic != MAGIC or len(data) != _HEAD.size + count * _ENTRY.size + _SUM:
            raise ManifestError("not a manifest of this format")
        chunks = tuple(_ENTRY.iter_unpack(data[_HEAD.size : -_SUM]))
        if sum(length for _, length in chunks) != size:
            raise ManifestError("chunk lengths do not add up to the file size")
        manifest = cls(digest.hex(), size, chunks)
        if oid is not None and manifest.oid != oid:
            raise ManifestError(f"manifest describes {manifest.oid[:12]}, not {oid[:12]}")
        return manifest
