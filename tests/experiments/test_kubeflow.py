"""`nbvc export kubeflow`: compiled with the real kfp SDK, loaded back and compared with nbvc's
DAG; and `nbvc exp step`, the command each component runs, run here against a folder remote."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from kfp import components

from tests.pipeline.kit import STAGES, Project, ml_pipeline


def test_the_compiled_spec_has_nbvcs_dag_and_params(project: Project) -> None:
    ml_pipeline(project)
    project.write("nbvc.yaml", STAGES)
    done = project.nbvc("export", "kubeflow", "-o", "pipeline.yaml", "--image", "reg/p:1")
    assert done.code == 0, done.err
    spec = yaml.safe_load(project.read("pipeline.yaml"))
    tasks = spec["root"]["dag"]["tasks"]
    assert set(tasks) == {"prepare", "train", "evaluate"}
    assert "dependentTasks" not in tasks["prepare"]
    assert tasks["train"]["dependentTasks"] == ["prepare"]
    assert sorted(tasks["evaluate"]["dependentTasks"]) == ["prepare", "train"]
    feeds = tasks["train"]["inputs"]["parameters"]["prepare_outs"]["taskOutputParameter"]
    assert feeds == {"outputParameterKey": "outs", "producerTask": "prepare"}
    params = spec["root"]["inputDefinitions"]["parameters"]
    assert params["params_yaml_train_lr"]["defaultValue"] == 0.1
    assert params["params_yaml_prepare_split"]["parameterType"] == "NUMBER_DOUBLE"
    container = spec["deploymentSpec"]["executors"]["exec-train"]["container"]
    assert container["image"] == "reg/p:1" and container["command"] == ["nbvc"]
    assert container["args"][:3] == ["exp", "step", "train"]
    assert "--outs-file" in container["args"]
    loaded = components.load_component_from_file(str(project.path("pipeline.yaml")))
    assert set(loaded.component_spec.inputs or {}) == set(params)
    assert loaded.name == project.root.name.lower().replace("_", "-")


def test_exporting_chosen_stages_keeps_their_upstream(project: Project) -> None:
    ml_pipeline(project)
    project.write("nbvc.yaml", STAGES)
    assert project.nbvc("export", "kubeflow", "train", "-o", "p.yaml", "--image", "i").code == 0
    tasks = yaml.safe_load(project.read("p.yaml"))["root"]["dag"]["tasks"]
    assert set(tasks) == {"prepare", "train"}


def test_exp_step_runs_one_stage_against_the_remote(exp: Project, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    assert exp.nbvc("remote", "add", "store", str(remote), "--default").code == 0
    assert exp.nbvc("push").code == 0
    done = exp.nbvc("exp", "step", "train", "-S", "train.lr=0.3", "--outs-file", "out/outs.json")
    assert done.code == 0, done.err
    outs = json.loads(exp.read("out/outs.json"))
    oid = outs["model.bin"]["oid"]
    made = (remote / "objects" / oid[:2] / oid[2:]).read_text()
    assert made.startswith("model lr=0.3 ")  # pushed to the remote for the next step
    assert not exp.path("model.bin").exists()  # the workspace is left alone
