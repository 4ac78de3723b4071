"""Deterministic benchmark datasets, generated once per (scale, seed) and reused.

Content comes from the BLAKE3 extendable output keyed by the seed: incompressible, the same
bytes on every machine, and generated at several GB/s, so a full-scale dataset costs seconds.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from blake3 import blake3

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
WRITE_CHUNK = 16 * MIB
COMPLETE_MARKER = "dataset.json"


def _stream(label: str, seed: int) -> blake3:
    return blake3(f"nbvc-bench:{seed}:{label}".encode())


@dataclass(frozen=True)
class ManySmallFiles:
    """``files`` files of ``min_size``-``max_size`` bytes in nested folders (dataset A)."""

    name: str
    target: str
    files: int
    min_size: int
    max_size: int
    top_dirs: int = 8
    sub_dirs: int = 25

    def scaled(self, scale: float) -> ManySmallFiles:
        return ManySmallFiles(
            self.name,
            self.target,
            max(1, round(self.files * scale)),
            self.min_size,
            self.max_size,
            self.top_dirs,
            self.sub_dirs,
        )

    def relpath(self, index: int) -> str:
        top = index % self.top_dirs
        sub = (index // self.top_dirs) % self.sub_dirs
        return f"d{top:02d}/s{sub:02d}/f{index:06d}.bin"

    def sizes(self, seed: int) -> list[int]:
        rng = random.Random(f"{seed}:{self.name}")
        return [rng.randint(self.min_size, self.max_size) for _ in range(self.files)]

    def generate(self, dest: Path, seed: int) -> None:
        for index, size in enumerate(self.sizes(seed)):
            path = dest / self.relpath(index)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_stream(f"{self.name}:{index}", seed).digest(length=size))

    def change_one_file(self, root: Path, seed: int, serial: int) -> Path:
        """Rewrite one file in place: new bytes, same size, a distinct edit per ``serial``."""
        index = self.files // 2
        path = root / self.relpath(index)
        size = path.stat().st_size
        data = _stream(f"{self.name}:{index}:edit:{serial}", seed).digest(length=size)
        with open(path, "r+b") as handle:
            handle.write(data)
        return path

    def describe(self, seed: int) -> str:
        return f"{self.files:,} files, {sum(self.sizes(seed)) / 1e6:,.0f} MB"


@dataclass(frozen=True)
class OneBigFile:
    """One file of ``size`` bytes (dataset B)."""

    name: str
    target: str
    size: int

    def scaled(self, scale: float) -> OneBigFile:
        return OneBigFile(self.name, self.target, max(MIB, round(self.size * scale)))

    def generate(self, dest: Path, seed: int) -> None:
        hasher = _stream(self.name, seed)
        with open(dest, "wb") as handle:
            for offset in range(0, self.size, WRITE_CHUNK):
                length = min(WRITE_CHUNK, self.size - offset)
                handle.write(hasher.digest(length=length, seek=offset))

    def describe(self, seed: int) -> str:
        return f"1 file, {self.size / GIB:.2f} GiB"


Dataset = ManySmallFiles | OneBigFile

DATASET_A = ManySmallFiles("A", "A", files=20_000, min_size=4 * KIB, max_size=64 * KIB)
DATASET_B = OneBigFile("B", "B.bin", size=2 * GIB)
DATASETS: dict[str, Dataset] = {d.name: d for d in (DATASET_A, DATASET_B)}


def materialize(dataset: Dataset, data_dir: Path, seed: int) -> Path:
    """The pristine copy of ``dataset`` under ``data_dir``, generated unless already complete."""
    home = data_dir / f"{dataset.name}-{seed}-{_fingerprint(dataset)}"
    marker = home / COMPLETE_MARKER
    source = home / dataset.target
    if marker.exists():
        return source
    if home.exists():
        shutil.rmtree(home)  # a generation that was interrupted: small, never timed
    home.mkdir(parents=True)
    if isinstance(dataset, ManySmallFiles):
        source.mkdir()
    dataset.generate(source, seed)
    marker.write_text(json.dumps({"seed": seed, **asdict(dataset)}, indent=1))
    return source


def _fingerprint(dataset: Dataset) -> str:
    text = json.dumps(asdict(dataset), sort_keys=True)
    return blake3(text.encode()).hexdigest()[:10]
