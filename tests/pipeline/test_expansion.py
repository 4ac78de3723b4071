"""vars, ${} interpolation, foreach and matrix, in loading and in a real repro."""

from __future__ import annotations

import pytest

from nbvc.core.errors import PipelineError
from nbvc.core.pipeline.loader import load_pipeline
from nbvc.core.pipeline.outcome import RAN, SKIPPED
from tests.pipeline.kit import Project


def stages(project: Project, text: str) -> dict[str, object]:
    project.write("nbvc.yaml", text)
    return dict(load_pipeline(str(project.root), check_workspace=False).stages)


def test_foreach_over_a_list_and_a_mapping(project: Project) -> None:
    found = stages(
        project,
        """\
        stages:
          clean:
            foreach: [raw, extra]
            do:
              cmd: python clean.py ${item}
              outs:
                - clean/${item}.csv
          train:
            foreach:
              small: {layers: 2}
              big: {layers: 8}
            do:
              cmd: python train.py --name ${key} --layers ${item.layers}
        """,
    )
    assert list(found) == ["clean@raw", "clean@extra", "train@small", "train@big"]
    assert found["clean@extra"].cmd == "python clean.py extra"  # type: ignore[attr-defined]
    assert found["clean@raw"].outs[0].path == "clean/raw.csv"  # type: ignore[attr-defined]
    assert found["train@big"].cmd == "python train.py --name big --layers 8"  # type: ignore[attr-defined]


def test_matrix_expands_every_combination(project: Project) -> None:
    found = stages(
        project,
        """\
        stages:
          fit:
            matrix:
              model: [tree, net]
              lr: [0.1, 0.01]
            cmd: python fit.py ${item.model} ${item.lr}
            outs:
              - models/${item.model}-${item.lr}.pkl
        """,
    )
    assert list(found) == ["fit@tree-0.1", "fit@tree-0.01", "fit@net-0.1", "fit@net-0.01"]
    assert found["fit@net-0.01"].cmd == "python fit.py net 0.01"  # type: ignore[attr-defined]


def test_vars_from_params_files_and_inline(project: Project) -> None:
    project.write("params.yaml", "models: [a, b]\nseed: 7\n")
    project.write("more.yaml", "data: {dir: input}\nignored: 1\n")
    found = stages(
        project,
        """\
        vars:
          - more.yaml:data
          - {out_dir: results}
        stages:
          run:
            foreach: ${models}
            do:
              cmd: run --seed ${seed} --in ${data.dir} --out ${out_dir}/${item} \\${HOME}
          local:
            vars:
              - {name: here}
            cmd: echo ${name} ${models[1]}
        """,
    )
    assert found["run@b"].cmd == "run --seed 7 --in input --out results/b ${HOME}"  # type: ignore[attr-defined]
    assert found["local"].cmd == "echo here b"  # type: ignore[attr-defined]


def test_vars_errors_have_lines(project: Project) -> None:
    project.write("params.yaml", "seed: 7\n")
    with pytest.raises(PipelineError, match=r"nbvc.yaml:2: cannot redefine var seed"):
        stages(project, "vars:\n  - {seed: 8}\nstages:\n  a:\n    cmd: x\n")
    with pytest.raises(
        PipelineError, match=r"nbvc.yaml:5: \$\{d\} is a mapping; only strings and numbers"
    ):
        stages(project, "vars:\n  - {d: {x: 1}}\nstages:\n  a:\n    cmd: echo ${d}\n")
    with pytest.raises(PipelineError, match=r"nbvc.yaml:2: vars file nope.yaml does not exist"):
        stages(project, "vars:\n  - nope.yaml\nstages:\n  a:\n    cmd: x\n")


def test_foreach_stages_run_and_rerun_per_item(project: Project) -> None:
    project.write("params.yaml", "words: {one: 1, two: 2}\n")
    project.write(
        "nbvc.yaml",
        """\
        stages:
          write:
            foreach: ${words}
            do:
              cmd: echo ${item} > out/${key}.txt
              params:
                - words.${key}
              outs:
                - out/${key}.txt
          join:
            cmd: cat out/one.txt out/two.txt > all.txt
            deps: [out]
            outs: [all.txt]
        """,
    )
    first = project.repro()
    assert [(o.stage, o.status) for o in first.outcomes] == [
        ("write@one", RAN),
        ("write@two", RAN),
        ("join", RAN),
    ]
    assert project.read("all.txt") == "1\n2\n"
    project.write("params.yaml", "words: {one: 1, two: 22}\n")
    second = project.repro()
    assert [(o.stage, o.status) for o in second.outcomes] == [
        ("write@one", SKIPPED),
        ("write@two", RAN),
        ("join", RAN),
    ]
    assert project.read("all.txt") == "1\n22\n"
    group = project.repro("write", force=True)
    assert [o.stage for o in group.outcomes] == ["write@one", "write@two"]


def test_matrix_stages_run_per_combination(project: Project) -> None:
    project.write(
        "nbvc.yaml",
        """\
        stages:
          fit:
            matrix:
              model: [tree, net]
              seed: [1, 2]
            cmd: echo ${item.model} ${item.seed} > fits/${key}.txt
            outs:
              - fits/${key}.txt
        """,
    )
    result = project.nbvc("repro", "fit")
    assert result.code == 0 and "Summary: 4 ran" in result.out
    assert project.read("fits/net-2.txt") == "net 2\n"
    again = project.repro("fit@tree-1", force=True)
    assert [(o.stage, o.status) for o in again.outcomes] == [("fit@tree-1", RAN)]
