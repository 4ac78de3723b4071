"""Invalid pipeline files are rejected with the file, the line and what is wrong."""

from __future__ import annotations

import pytest

from nbvc.core.errors import PipelineError
from nbvc.core.pipeline.loader import load_pipeline
from tests.pipeline.kit import Project


def error_of(project: Project, text: str) -> PipelineError:
    project.write("nbvc.yaml", text)
    with pytest.raises(PipelineError) as caught:
        load_pipeline(str(project.root))
    return caught.value


def test_unknown_key_names_the_line_and_a_suggestion(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          train:
            cmd: python train.py
            outz: [model.pkl]
        """,
    )
    assert str(error) == ("nbvc.yaml:4: unknown key 'outz' in stage 'train'; did you mean 'outs'?")


def test_unknown_key_in_an_out_and_at_the_top(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          train:
            cmd: python train.py
            outs:
              - model.pkl:
                  cach: false
        """,
    )
    assert error.line == 6 and "unknown key 'cach'" in str(error) and "'cache'" in str(error)
    top = error_of(project, "stage:\n  a:\n    cmd: x\n")
    assert top.line == 1 and "unknown key 'stage' in the pipeline file" in str(top)


def test_cycle(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          a:
            cmd: cp b.txt a.txt
            deps: [b.txt]
            outs: [a.txt]
          b:
            cmd: cp a.txt b.txt
            deps: [a.txt]
            outs: [b.txt]
        """,
    )
    assert str(error).startswith("nbvc.yaml:2: the stages form a cycle (a -> b -> a)")


def test_a_stage_depending_on_its_own_out_is_a_cycle(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          a:
            cmd: touch a.txt
            deps: [a.txt]
            outs: [a.txt]
        """,
    )
    assert error.line == 4 and "own out 'a.txt': a cycle" in str(error)


def test_duplicate_out(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          a:
            cmd: touch x
            outs: [model.pkl]
          b:
            cmd: touch y
            metrics:
              - model.pkl
        """,
    )
    assert error.line == 8
    assert "out 'model.pkl' of stage 'b' is already an out of stage 'a' (line 4)" in str(error)


def test_missing_dep(project: Project) -> None:
    project.write("train.py", "")
    error = error_of(
        project,
        """\
        stages:
          train:
            cmd: python train.py
            deps:
              - train.py
              - data/missing.csv
        """,
    )
    assert str(error).startswith(
        "nbvc.yaml:6: dep 'data/missing.csv' of stage 'train' does not exist and no stage "
        "outputs it"
    )


def test_overlapping_outs(project: Project) -> None:
    error = error_of(
        project,
        """\
        stages:
          a:
            cmd: mkdir -p data
            outs: [data]
          b:
            cmd: touch data/x
            outs:
              - data/x
        """,
    )
    assert error.line == 8
    assert "out 'data/x' of stage 'b' is inside out 'data' of stage 'a' (line 4)" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("stages:\n  a:\n    cmd: [x\n", 4, "invalid YAML"),
        ("stages:\n  a:\n    cmd: x\n  a:\n    cmd: y\n", 4, "duplicate key 'a'"),
        ("stages:\n  a:\n    deps: [x]\n", 2, "needs exactly one of 'cmd' or 'notebook'"),
        ("stages:\n  a:\n    cmd: x\n    notebook: n.ipynb\n", 2, "exactly one of"),
        ("stages:\n  a:\n    cmd: x\n    frozen: 'yes'\n", 4, "'frozen' of stage 'a' must be"),
        ("stages:\n  a:\n    cmd: x\n    outs: [../up.txt]\n", 4, "points outside the repo"),
        ("stages:\n  a:\n    cmd: x\n    outs: [/abs.txt]\n", 4, "must be a relative path"),
        ("stages:\n  a:\n    cmd: echo ${nope}\n", 3, "${nope}: nope is not defined"),
        ("stages:\n  a b:\n    cmd: x\n", 2, "invalid stage name 'a b'"),
        ("stages:\n  a:\n    cmd: x\n    kernel: python3\n", 4, "only to notebook stages"),
        ("stages: []\n", 1, "'stages' must be a mapping"),
        (
            "stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n    deps: [y]\n",
            6,
            "unknown key 'deps' in foreach stage 'a'",
        ),
        (
            "stages:\n  a:\n    cmd: x\n    plots:\n      - p.csv: {template: pie}\n",
            5,
            "unknown plot template 'pie': use one of bar_horizontal",
        ),
    ],
)
def test_schema_errors(project: Project, text: str, line: int, message: str) -> None:
    error = error_of(project, text)
    assert error.line == line, str(error)
    assert message in str(error)
    assert str(error).startswith(f"nbvc.yaml:{line}: ")


def test_missing_param_key_is_reported_before_anything_runs(project: Project) -> None:
    project.write("params.yaml", "train:\n  lr: 0.1\n")
    project.write(
        "nbvc.yaml",
        """\
        stages:
          first:
            cmd: touch ran.txt
            outs: [ran.txt]
          train:
            cmd: echo train
            params:
              - train.lr
              - train.epochs
        """,
    )
    result = project.nbvc("repro")
    assert result.code == 1
    assert "nbvc.yaml:8: param 'train.epochs' of stage 'train' is not in params.yaml" in result.err
    assert not project.path("ran.txt").exists()


def test_cli_prints_the_located_error(project: Project) -> None:
    project.write("nbvc.yaml", "stages:\n  a:\n    cmd: x\n    wdri: sub\n")
    result = project.nbvc("repro")
    assert result.code == 1
    assert result.err == (
        "nbvc: error: nbvc.yaml:4: unknown key 'wdri' in stage 'a'; did you mean 'wdir'?\n"
    )
