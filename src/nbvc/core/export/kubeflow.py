"""``nbvc export kubeflow``: the pipeline as a Kubeflow Pipelines v2 spec, compiled by the ``kfp``
SDK (the ``kfp`` extra).

One container component per stage, in the DAG's order. Each runs ``nbvc exp step STAGE`` in the
given image (which holds the project's code, with the nbvc remote configured): that is the same
task an experiment worker runs (see :mod:`nbvc.core.experiments.worker`): it fetches the stage's
deps from the remote, sets the params, runs the stage, pushes its outputs and run record, and
writes the versions of its outs as the component's output ``outs``. A stage's dependants take
those as an input, so Kubeflow's DAG is nbvc's DAG and data moves only through the remote. Every
param of the exported stages is a pipeline parameter, its current value the default.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nbvc.core.errors import ExperimentError
from nbvc.core.repo import Repo

KFP_EXTRA = "kfp"
OUTS = "outs"  # each component's output: its outs' versions (JSON)


@dataclass(frozen=True)
class PipelineParam:
    name: str  # the pipeline parameter (an identifier)
    file: str
    key: str
    default: Any


@dataclass(frozen=True)
class KubeflowExport:
    path: str
    stages: list[str]
    upstream: dict[str, list[str]]  # stage -> the exported stages it takes outs from
    params: list[PipelineParam]


def export_kubeflow(
    repo: Repo, targets: Sequence[str], output: str, image: str, name: str | None = None
) -> KubeflowExport:
    kfp = _import_kfp()
    from kfp import compiler, dsl

    from nbvc.core.pipeline import dag
    from nbvc.core.pipeline.loader import load_pipeline
    from nbvc.core.pipeline.stage import ParamReader

    if not image.strip():
        raise ExperimentError("give the container image that holds the project: --image IMAGE")
    pipeline = load_pipeline(repo.root, check_workspace=False)
    graph = dag.check(pipeline, repo.root)
    stages = dag.select(graph, dag.resolve_targets(pipeline, list(targets)))
    reader = ParamReader(repo.root)
    by_stage: dict[str, list[PipelineParam]] = {}
    params: dict[str, PipelineParam] = {}
    for stage_name in stages:
        stage = pipeline.stages[stage_name]
        found = []
        for spec in stage.params:
            for key, value in reader.values(spec, stage_name).items():
                param = params.setdefault(
                    f"{spec.file}:{key}",
                    PipelineParam(_identifier(f"{spec.file}_{key}"), spec.file, key, value),
                )
                found.append(param)
        by_stage[stage_name] = found
    upstream = {s: sorted(u for u in graph.upstream[s] if u in stages) for s in stages}
    components = {s: _component(dsl, s, by_stage[s], upstream[s], image) for s in stages}

    names = [p.name for p in params.values()]

    def body(*values: Any, **named: Any) -> None:  # kfp passes placeholders by position
        arguments = {**dict(zip(names, values, strict=False)), **named}
        tasks: dict[str, Any] = {}
        for stage_name in stages:
            inputs = {p.name: arguments[p.name] for p in by_stage[stage_name]}
            for up in upstream[stage_name]:
                inputs[_input_name(up)] = tasks[up].outputs[OUTS]
            task = components[stage_name](**inputs)
            task.set_display_name(stage_name)
            tasks[stage_name] = task

    _sign(
        body,
        [(p.name, _kind(p.default), p.default) for p in params.values()],
        _identifier(name or f"nbvc-{repo.root.rsplit('/', 1)[-1]}"),
    )
    described = dsl.pipeline(
        name=_pipeline_name(name or repo.root.rsplit("/", 1)[-1]),
        description=f"nbvc pipeline ({', '.join(stages)}), exported by `nbvc export kubeflow`",
    )(body)
    compiler.Compiler().compile(described, output)
    del kfp
    return KubeflowExport(output, stages, upstream, list(params.values()))


def _component(
    dsl: Any, stage: str, params: list[PipelineParam], upstream: list[str], image: str
) -> Any:
    names = [p.name for p in params] + [_input_name(up) for up in upstream] + [OUTS]

    def body(*values: Any, **named: Any) -> Any:  # kfp passes placeholders by position
        arguments = {**dict(zip(names, values, strict=False)), **named}
        args: list[Any] = ["exp", "step", stage]
        for param in params:
            args += [
                "-S",
                dsl.ConcatPlaceholder([f"{param.file}:{param.key}=", arguments[param.name]]),
            ]
        for up in upstream:
            args += ["--inputs", arguments[_input_name(up)]]
        args += ["--outs-file", arguments[OUTS]]
        return dsl.ContainerSpec(image=image, command=["nbvc"], args=args)

    signature = [(p.name, _kind(p.default), inspect.Parameter.empty) for p in params]
    signature += [(_input_name(up), str, inspect.Parameter.empty) for up in upstream]
    signature.append((OUTS, dsl.OutputPath(str), inspect.Parameter.empty))
    _sign(body, signature, _identifier(stage))
    return dsl.container_component(body)


def _sign(func: Callable[..., Any], parameters: list[tuple[str, Any, Any]], name: str) -> None:
    """Give ``func`` the signature kfp reads its inputs from."""
    func.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d, annotation=t)
            for n, t, d in parameters
        ]
    )
    func.__annotations__ = {n: t for n, t, _ in parameters}
    func.__name__ = name
    func.__qualname__ = name


def _kind(value: Any) -> type:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int):
        return int
    if isinstance(value, float):
        return float
    if isinstance(value, str):
        return str
    raise ExperimentError(
        f"param value {value!r} cannot be a Kubeflow pipeline parameter (numbers, text and "
        "booleans only); move it to its own key or leave it out of the stage's params"
    )


def _input_name(stage: str) -> str:
    return _identifier(f"{stage}_outs")


def _identifier(text: str) -> str:
    cleaned = re.sub(r"\W+", "_", text).strip("_").lower() or "p"
    return cleaned if not cleaned[0].isdigit() else f"p_{cleaned}"


def _pipeline_name(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "nbvc-pipeline"


def _import_kfp() -> Any:
    try:
        import kfp
    except ImportError:
        raise ExperimentError(
            f"exporting to Kubeflow needs the `{KFP_EXTRA}` extra: pip install 'nbvc[{KFP_EXTRA}]'"
        ) from None
    return kfp
