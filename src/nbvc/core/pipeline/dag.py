"""The stage graph: who produces what, the checks that need it, and topological selection.

Stage B depends on stage A when one of B's deps (or params files) is, contains, or lies inside one
of A's outs. :func:`check` rejects what DVC rejects: an out declared twice, outs inside other
outs, a dep that no stage makes and that does not exist, and cycles, each with file and line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nbvc.core.artifacts.paths import parents
from nbvc.core.errors import PipelineError, StageSelectionError
from nbvc.core.pipeline.definition import Out, Pipeline, Stage


@dataclass(frozen=True)
class Graph:
    order: tuple[str, ...]  # every stage, topologically sorted (file order among equals)
    upstream: dict[str, frozenset[str]]  # stage -> stages it depends on directly
    downstream: dict[str, frozenset[str]]


def producers(pipeline: Pipeline) -> dict[str, tuple[Stage, Out]]:
    """Each out path -> the stage declaring it; an out declared twice is an error."""
    owners: dict[str, tuple[Stage, Out]] = {}
    for stage, out in pipeline.all_outs():
        if out.path in owners:
            first_stage, first = owners[out.path]
            raise PipelineError(
                pipeline.file,
                out.line,
                f"out {out.path!r} of stage {stage.name!r} is already an out of stage "
                f"{first_stage.name!r} (line {first.line}); each output has one producer",
            )
        owners[out.path] = (stage, out)
    return owners


def _check_overlaps(pipeline: Pipeline, owners: dict[str, tuple[Stage, Out]]) -> None:
    for path, (stage, out) in owners.items():
        for parent in parents(path):
            if parent in owners:
                other_stage, other = owners[parent]
                raise PipelineError(
                    pipeline.file,
                    out.line,
                    f"out {path!r} of stage {stage.name!r} is inside out {parent!r} of stage "
                    f"{other_stage.name!r} (line {other.line}); outputs must not overlap",
                )


def _inputs(stage: Stage) -> Iterable[tuple[str, int | None, str]]:
    for dep in stage.deps:
        yield dep.path, dep.line, "dep"
    for spec in stage.params:
        yield spec.file, spec.line, "params file"


def _edges(
    pipeline: Pipeline, owners: dict[str, tuple[Stage, Out]], root: str | None
) -> dict[str, set[str]]:
    """stage -> the stages producing its inputs; checks inputs exist when ``root`` is given."""
    inside: dict[str, list[str]] = {}
    for path in owners:
        for parent in parents(path):
            inside.setdefault(parent, []).append(path)
    upstream: dict[str, set[str]] = {name: set() for name in pipeline.stages}
    for stage in pipeline.stages.values():
        for path, line, what in _inputs(stage):
            found = [p for p in (path, *parents(path)) if p in owners]
            found += inside.get(path, []) if path else list(owners)
            for out_path in found:
                producer, _ = owners[out_path]
                if producer.name == stage.name:
                    raise PipelineError(
                        pipeline.file,
                        line,
                        f"stage {stage.name!r} has {what} {path!r} that is its own out "
                        f"{out_path!r}: a cycle; remove one of them",
                    )
                upstream[stage.name].add(producer.name)
            if not found and root is not None and not _exists_or_tracked(root, path):
                raise PipelineError(
                    pipeline.file,
                    line,
                    f"{what} {path!r} of stage {stage.name!r} does not exist and no stage "
                    "outputs it; create it, fix the path, or add the stage that makes it",
                )
    return upstream


def _exists_or_tracked(root: str, path: str) -> bool:
    """The path is there, or a DVC `.dvc` file tracks it (data `dvc pull` would bring)."""
    return os.path.lexists(os.path.join(root, path)) or os.path.isfile(
        os.path.join(root, path + ".dvc")
    )


def _toposort(pipeline: Pipeline, upstream: dict[str, set[str]]) -> tuple[str, ...]:
    """Depth-first topological order (file order among independent stages); finds cycles."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    order: list[str] = []
    names = list(pipeline.stages)
    position = {name: i for i, name in enumerate(names)}
    for start in names:
        if start in state:
            continue
        stack: list[tuple[str, list[str]]] = [
            (start, sorted(upstream[start], key=position.__getitem__))
        ]
        state[start] = 1
        while stack:
            name, pending = stack[-1]
            if not pending:
                stack.pop()
                state[name] = 2
                order.append(name)
                continue
            nxt = pending.pop(0)
            if state.get(nxt) == 1:
                cycle = [n for n, _ in stack][[n for n, _ in stack].index(nxt) :]
                _raise_cycle(pipeline, [*cycle, nxt])
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, sorted(upstream[nxt], key=position.__getitem__)))
    return tuple(order)


def _raise_cycle(pipeline: Pipeline, cycle: list[str]) -> None:
    stage = pipeline.stages[cycle[0]]
    path = " -> ".join(reversed(cycle))
    raise PipelineError(
        pipeline.file,
        stage.line,
        f"the stages form a cycle ({path}); a stage cannot depend, even indirectly, "
        "on its own outputs",
    )


def build(pipeline: Pipeline, root: str | None = None) -> Graph:
    owners = producers(pipeline)
    _check_overlaps(pipeline, owners)
    upstream = _edges(pipeline, owners, root)
    order = _toposort(pipeline, upstream)
    downstream: dict[str, set[str]] = {name: set() for name in pipeline.stages}
    for name, ups in upstream.items():
        for up in ups:
            downstream[up].add(name)
    return Graph(
        order,
        {k: frozenset(v) for k, v in upstream.items()},
        {k: frozenset(v) for k, v in downstream.items()},
    )


def check(pipeline: Pipeline, root: str) -> Graph:
    """Every check that needs the workspace; returns the graph."""
    return build(pipeline, root)


def resolve_targets(pipeline: Pipeline, targets: Sequence[str]) -> list[str]:
    """Stage names for what the user typed (a foreach/matrix group name means all of it)."""
    names: list[str] = []
    for target in targets:
        if target in pipeline.stages:
            names.append(target)
        elif target in pipeline.groups:
            names.extend(pipeline.groups[target])
        else:
            known = ", ".join([*pipeline.stages][:20])
            raise StageSelectionError(
                f"no stage named {target!r} in {pipeline.file}; stages: {known}"
            )
    return list(dict.fromkeys(names))


def select(
    graph: Graph,
    targets: Sequence[str],
    downstream: bool = False,
    single_item: bool = False,
) -> list[str]:
    """The stages to consider, in topological order.

    No targets: all. Targets: each with its upstream stages; ``single_item``: only the targets;
    ``downstream``: the targets and every stage that depends on them.
    """
    if not targets:
        return list(graph.order)
    chosen = set(targets)
    if not single_item:
        edges = graph.downstream if downstream else graph.upstream
        stack = list(targets)
        while stack:
            for other in edges[stack.pop()]:
                if other not in chosen:
                    chosen.add(other)
                    stack.append(other)
    return [name for name in graph.order if name in chosen]
