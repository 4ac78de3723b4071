"""The engine's public surface (docs/architecture.md, "The engine API"): front ends import only
``nbvc.core`` and only the names pinned here; every error type is in docs/errors.md with the
exit code and HTTP status the code uses."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import nbvc
import nbvc.core
from nbvc.core import NbvcError, Repo
from nbvc.server.errors import status_of

SRC = Path(nbvc.__file__).parent
DOCS = SRC.parent.parent / "docs"
# the front ends, and the package's own Python API (`nbvc.Repo`, `nbvc.log_metric`, ...)
FRONT_END_SOURCES = (
    *sorted((SRC / "cli").rglob("*.py")),
    *sorted((SRC / "kernel").rglob("*.py")),
    *sorted((SRC / "server").rglob("*.py")),
    *sorted((SRC / "nbexec").rglob("*.py")),
    SRC / "__init__.py",
    SRC / "widgets.py",
)

# Changing this list changes what every front end may rely on: do it on purpose, and say so in
# docs/architecture.md.
PUBLIC = [
    "AddOptions",
    "AddResult",
    "ApplyResult",
    "ArtifactStatus",
    "CELL_PRODUCER",
    "CellRecord",
    "CheckoutOptions",
    "CheckoutResult",
    "Comparison",
    "ConfigError",
    "ConsoleListener",
    "CorruptObjectError",
    "DamagedRecordError",
    "DataFileError",
    "ExpRunOptions",
    "ExperimentError",
    "FSCK_SHOWN_USERS",
    "FileAccess",
    "FileState",
    "FilterError",
    "FolderManifestError",
    "FormatError",
    "FsckResult",
    "ImportSourceError",
    "KubeflowExport",
    "LINEAGE_READ",
    "LINEAGE_WRITE",
    "LineageNode",
    "LineageOptions",
    "LockTimeoutError",
    "LogOptions",
    "LoggingError",
    "MissingObjectError",
    "MlflowImportResult",
    "ModelLoadError",
    "ModelNotFoundError",
    "ModelVersion",
    "NULL_REPORTER",
    "NbvcError",
    "NoPipelineError",
    "NoProducerError",
    "NotARepoError",
    "NotAnIndexError",
    "NotTrackedError",
    "OverlapError",
    "PLOTS_PAGE",
    "POINTER_SUFFIX",
    "ParamsError",
    "PathError",
    "PipelineError",
    "PlotsDiffOptions",
    "PlotsOptions",
    "PullOptions",
    "PullResult",
    "PushOptions",
    "QUIET_OPTION",
    "RUN_SORTS",
    "RUN_VALUE_SORTS",
    "RefError",
    "RemoteError",
    "RemoteStatus",
    "Repo",
    "RepoExistsError",
    "Reporter",
    "ReproOptions",
    "ReproResult",
    "Row",
    "RunArtifact",
    "RunDiff",
    "RunNotFoundError",
    "RunOrder",
    "RunRecord",
    "RunRef",
    "RunStatus",
    "RunsOptions",
    "STAGE_FAILED",
    "STAGE_RAN",
    "STAGE_RESTORED",
    "Script",
    "Side",
    "StageOutcome",
    "StageSelectionError",
    "StatusOptions",
    "SweepProgress",
    "SweepResult",
    "SweepTable",
    "Task",
    "TransferError",
    "TransferOptions",
    "TransferResult",
    "UNCHANGED",
    "UnsavedChangesError",
    "UnsupportedError",
    "VEGA_LITE_SCHEMA",
    "VERBS",
    "VerbOption",
    "Version",
    "VersionRecord",
    "WORKSPACE",
    "active_run",
    "add_skipped_note",
    "add_verb_arguments",
    "atomic_write_text",
    "autolog",
    "count_text",
    "describe_node",
    "end_run",
    "export_kubeflow",
    "file_state",
    "find_or_adopt",
    "find_root",
    "hash_bytes",
    "import_dvc",
    "import_mlflow",
    "is_dvc_project",
    "is_within",
    "kill_stage_commands",
    "load_json_within_limits",
    "load_model",
    "log_artifact",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "new_id",
    "number_text",
    "option_values",
    "options_from_arguments",
    "plots_diff_refs",
    "plots_page",
    "plural",
    "point_label",
    "register_alias_resolver",
    "render_lineage",
    "series_spec",
    "set_note",
    "set_run_context",
    "set_tag",
    "set_tags",
    "short_id",
    "short_oid",
    "size_text",
    "start_run",
    "system_message",
    "time_text",
    "transfer_summary",
    "value_columns",
    "value_text",
    "value_tone",
    "verb_options",
]
SUB_FACADES = ("runs", "metrics", "pipeline", "lineage", "remote", "experiments")


def test_the_public_names_are_pinned() -> None:
    assert sorted(nbvc.core.__all__) == PUBLIC
    assert sorted(nbvc.core._EXPORTS) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_loads(name: str) -> None:
    module, attribute = nbvc.core._EXPORTS[name]
    assert getattr(nbvc.core, name) is getattr(importlib.import_module(module), attribute)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'odb'"):
        _ = nbvc.core.odb


def private_imports(source: str) -> list[str]:
    """Imports in ``source`` that reach past the engine's surface."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("nbvc.core")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nbvc.core"):
            if node.module != "nbvc.core":
                found.append(node.module or "")
            else:
                found += [f"nbvc.core.{a.name}" for a in node.names if a.name not in PUBLIC]
    return found


def test_the_check_sees_private_imports() -> None:
    source = (
        "from nbvc.core import Repo, odb\n"
        "import nbvc.core.errors\n"
        "def f():\n    from nbvc.core.runs.run_index import RunIndex\n"
    )
    assert private_imports(source) == [
        "nbvc.core.odb",
        "nbvc.core.errors",
        "nbvc.core.runs.run_index",
    ]


@pytest.mark.parametrize("path", FRONT_END_SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_front_ends_import_only_the_public_surface(path: Path) -> None:
    assert private_imports(path.read_text(encoding="utf-8")) == []


def test_the_python_api_is_the_engines(tmp_path: Path) -> None:
    assert nbvc.Repo is Repo and nbvc.log_metric is nbvc.core.log_metric


def test_the_sub_facades(tmp_path: Path) -> None:
    with Repo.init(str(tmp_path))[0] as repo:
        for name in SUB_FACADES:
            facade = getattr(repo, name)
            assert type(facade).__module__.startswith(f"nbvc.core.{name}."), name
        assert repo.runs.query() == [] and repo.runs.latest() is None
        assert repo.remote.configured() == {}


# -- the error table ----------------------------------------------------------------------------
def error_types() -> list[type[NbvcError]]:
    for info in pkgutil.walk_packages(nbvc.__path__, "nbvc."):
        if not info.name.startswith("nbvc.labextension"):
            importlib.import_module(info.name)
    found: list[type[NbvcError]] = [NbvcError]
    for cls in found:
        found += [sub for sub in cls.__subclasses__() if sub not in found]
    return sorted(found, key=lambda cls: cls.__name__)


def documented() -> dict[str, tuple[int, int]]:
    """error name -> (exit code, HTTP status) from docs/errors.md."""
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (\d+) \|", text, re.MULTILINE)
    return {name: (int(code), int(status)) for name, code, status in rows}


def test_every_error_is_in_the_table_with_its_exit_code_and_status() -> None:
    table = documented()
    errors = error_types()
    assert len(errors) > 20  # the walk really found the errors
    assert sorted(table) == sorted(cls.__name__ for cls in errors)
    for cls in errors:
        error = cls.__new__(cls)
        assert table[cls.__name__] == (cls.exit_code, status_of(error)), cls.__name__
