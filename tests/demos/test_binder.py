"""The Binder set-up (``binder/``) and the ``make demo`` entry point.

``postBuild`` runs in a copy of the repo with ``npm`` and ``python`` replaced by stand-ins that
record their arguments (the real install is what ``.ci/check-wheel.sh`` checks); the IPython
profile it writes is then loaded by a real kernel and a real terminal IPython.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nbvc.nbexec import execute_notebook

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
PROBE = (
    "ip = get_ipython()\n"
    "magics = ip.magics_manager.magics['line']\n"
    "print('nbvc' in ip.extension_manager.loaded, 'version_add' in magics)"
)


def run_post_build(repo: Path, home: Path) -> tuple[str, list[str]]:
    """Run ``postBuild`` as repo2docker does (in the repo, HOME set, no IPYTHONDIR); returns its
    output and the commands the stand-in ``npm`` and ``python`` received."""
    stubs = repo.parent / "stubs"
    stubs.mkdir(exist_ok=True)
    calls = repo.parent / "calls.log"
    for name in ("npm", "python"):
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{calls}"\n')
        stub.chmod(0o755)
    env = {"PATH": f"{stubs}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(home)}
    done = subprocess.run(
        [str(repo / "binder" / "postBuild")],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout, calls.read_text().splitlines()


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    (repo / "node_modules" / "pkg").mkdir(parents=True)
    return repo


def test_binder_follows_repo2docker_conventions() -> None:
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK)
    assert post_build.read_text().startswith("#!/usr/bin/env bash\n")
    environment = (BINDER / "environment.yml").read_text()
    for needed in ("python=3.11", "nodejs>=20", "scikit-learn", "jupyterlab>=4.6,<5"):
        assert needed in environment


def test_post_build_installs_this_repo_and_enables_the_magics(
    repo_copy: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    printed, calls = run_post_build(repo_copy, home)
    assert calls == [
        "npm ci --no-audit --no-fund",
        "python -m pip install --no-cache-dir .",
    ]
    assert not (repo_copy / "node_modules").exists()
    config = home / ".ipython" / "profile_default" / "ipython_config.py"
    assert f"IPython loads it from {config}" in printed
    assert "c.InteractiveShellApp.extensions = ['nbvc']" in config.read_text().replace('"', "'")


def test_post_build_keeps_an_existing_profile_and_runs_twice(
    repo_copy: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    config = home / ".ipython" / "profile_default" / "ipython_config.py"
    config.parent.mkdir(parents=True)
    config.write_text("c = get_config()\nc.InteractiveShell.colors = 'nocolor'\n")
    run_post_build(repo_copy, home)
    run_post_build(repo_copy, home)
    text = config.read_text()
    assert text.startswith("c = get_config()\nc.InteractiveShell.colors = 'nocolor'\n")
    assert text.count("InteractiveShellApp.extensions") == 1


def test_the_installed_profile_loads_nbvc_in_kernels_and_ipython(
    repo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run_post_build(repo_copy, home)
    monkeypatch.delenv("IPYTHONDIR", raising=False)  # IPython's default: $HOME/.ipython
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]
    executed = execute_notebook(str(path), env={"HOME": str(home)}, timeout=60)
    assert executed.cells[0].outputs[0]["text"] == "True True\n"
    terminal = subprocess.run(
        [sys.executable, "-m", "IPython", "-c", PROBE],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert terminal.stdout.strip().endswith("True True")


def test_without_the_profile_a_kernel_does_not_load_nbvc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: a bare home gives a kernel without nbvc."""
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]  # type: ignore[no-untyped-call]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]
    executed = execute_notebook(str(path), env={"HOME": str(tmp_path)}, timeout=60)
    assert executed.cells[0].outputs[0]["text"] == "False False\n"


# -- the Binder link -------------------------------------------------------------------------


def binder_link(tmp_path: Path, remote: str | None) -> subprocess.CompletedProcess[str]:
    repo = tmp_path / "clone"
    (repo / "binder").mkdir(parents=True)
    shutil.copy(BINDER / "link.sh", repo / "binder" / "link.sh")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    if remote is not None:
        subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", remote], check=True)
    return subprocess.run(
        ["bash", str(repo / "binder" / "link.sh")], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/someone/nbvc.git",
        "https://github.com/someone/nbvc",
        "git@github.com:someone/nbvc.git",
        "ssh://git@github.com/someone/nbvc.git",
    ],
)
def test_binder_link_of_a_github_clone(tmp_path: Path, remote: str) -> None:
    done = binder_link(tmp_path, remote)
    assert done.returncode == 0, done.stderr
    expected = "https://mybinder.org/v2/gh/someone/nbvc/HEAD?labpath=demos%2Fquickstart.ipynb"
    assert done.stdout == expected + "\n"


@pytest.mark.parametrize(
    ("remote", "message"),
    [(None, "has no git remote 'origin'"), ("/srv/git/nbvc.git", "not a GitHub repository")],
)
def test_binder_link_needs_a_github_remote(
    tmp_path: Path, remote: str | None, message: str
) -> None:
    done = binder_link(tmp_path, remote)
    assert done.returncode == 1 and message in done.stderr and done.stdout == ""


# -- make demo -------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ([], "/bin/jupyter lab{root} demos/quickstart.ipynb"),
        (
            ["HEADLESS=1"],
            "/bin/python -m nbvc.nbexec demos/quickstart.ipynb "
            "--output build/demos/quickstart.ipynb",
        ),
    ],
)
def test_make_demo_opens_or_executes_the_quickstart(
    tmp_path: Path, variables: list[str], expected: str
) -> None:
    venv = tmp_path / "venv"  # `make -n` only prints: nothing is installed there
    done = subprocess.run(
        ["make", "-n", "demo", f"DEMO_VENV={venv}", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = done.stdout.strip().splitlines()
    root = " --allow-root" if os.getuid() == 0 else ""
    command = next(line for line in printed if "jupyter lab" in line or "nbvc.nbexec" in line)
    assert command.startswith(f'PATH="{venv}/bin:$PATH" {venv}')
    assert command.endswith(expected.format(root=root))
    # what a user installs: the wheel with the demos extra, in a venv of its own; no dev tools
    (install,) = [line for line in printed if line.startswith(f"{venv}/bin/pip install")]
    assert install.endswith("-py3-none-any.whl[demos]'") and " -e " not in install
    assert not any(".venv/bin/pip" in line or "[dev]" in line for line in printed)
