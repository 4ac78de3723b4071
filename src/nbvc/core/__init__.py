"""The nbvc engine, and the one surface its front ends use.

The CLI, the kernel extension, the server and the notebook executor import only from here
(``from nbvc.core import Repo, NbvcError``): :class:`Repo` with its verbs and its sub-facades
(``repo.runs``, ``repo.metrics``, ``repo.pipeline``, ``repo.lineage``, ``repo.remote``), the error
types, and the value types those return. Everything below is private to the engine and may
move; ``tests/test_engine_api.py`` pins these names and fails when a front end reaches past
them. No Jupyter module is imported here, and names load on first use, so ``from nbvc.core
import NbvcError`` costs one small module (see docs/architecture.md, "The engine API").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> (module, attribute in it)
_EXPORTS: dict[str, tuple[str, str]] = {
    # the facade
    "Repo": ("nbvc.core.repo", "Repo"),
    "find_root": ("nbvc.core.repo", "find_root"),
    # progress reporting (engine verbs take a Reporter)
    "NULL_REPORTER": ("nbvc.core.progress", "NULL"),
    "Reporter": ("nbvc.core.progress", "Reporter"),
    "Task": ("nbvc.core.progress", "Task"),
    # artifacts
    "AddResult": ("nbvc.core.artifacts.add", "AddResult"),
    "ArtifactStatus": ("nbvc.core.artifacts.status", "ArtifactStatus"),
    "CheckoutResult": ("nbvc.core.artifacts.checkout", "CheckoutResult"),
    "POINTER_SUFFIX": ("nbvc.core.artifacts.pointer", "SUFFIX"),
    "UNCHANGED": ("nbvc.core.artifacts.status", "UNCHANGED"),
    "Version": ("nbvc.core.artifacts.history", "Version"),
    "VersionRecord": ("nbvc.core.artifacts.history", "VersionRecord"),
    # runs
    "RUN_SORTS": ("nbvc.core.runs.listing", "SORTS"),
    "RUN_VALUE_SORTS": ("nbvc.core.runs.listing", "VALUE_SORTS"),
    "RunOrder": ("nbvc.core.runs.listing", "RunOrder"),
    "RunRecord": ("nbvc.core.runs.run_record", "RunRecord"),
    "RunRef": ("nbvc.core.runs.run_refs", "RunRef"),
    "RunStatus": ("nbvc.core.runs.run_record", "RunStatus"),
    "WORKSPACE": ("nbvc.core.runs.run_refs", "WORKSPACE"),
    "active_run": ("nbvc.core.runs.logging", "active_run"),
    "end_run": ("nbvc.core.runs.logging", "end_run"),
    "log_metric": ("nbvc.core.runs.logging", "log_metric"),
    "log_param": ("nbvc.core.runs.logging", "log_param"),
    "log_params": ("nbvc.core.runs.logging", "log_params"),
    "start_run": ("nbvc.core.runs.logging", "start_run"),
    "register_alias_resolver": ("nbvc.core.runs.run_refs", "register_alias_resolver"),
    "set_run_context": ("nbvc.core.runs.logging", "set_run_context"),
    "short_id": ("nbvc.core.runs.run_record", "short_id"),
    "value_columns": ("nbvc.core.runs.table", "columns"),
    # how numbers, sizes and dates are written for people
    "count_text": ("nbvc.core.formats.numbers", "count_text"),
    "number_text": ("nbvc.core.formats.numbers", "number_text"),
    "plural": ("nbvc.core.formats.numbers", "plural"),
    "size_text": ("nbvc.core.formats.numbers", "size_text"),
    "time_text": ("nbvc.core.formats.numbers", "time_text"),
    "transfer_summary": ("nbvc.core.remote.summary", "summary"),
    "value_text": ("nbvc.core.runs.table", "value_text"),
    "value_tone": ("nbvc.core.runs.direction", "tone"),
    # tracking (issue 15): logging API, model registry, autolog, MLflow import
    "RunArtifact": ("nbvc.core.runs.run_record", "RunArtifact"),
    "RunDiff": ("nbvc.core.runs.run_diff", "RunDiff"),
    "log_metrics": ("nbvc.core.runs.logging", "log_metrics"),
    "set_tag": ("nbvc.core.runs.logging", "set_tag"),
    "set_tags": ("nbvc.core.runs.logging", "set_tags"),
    "set_note": ("nbvc.core.runs.logging", "set_note"),
    "log_artifact": ("nbvc.core.runs.logging", "log_artifact"),
    "log_figure": ("nbvc.core.runs.logging", "log_figure"),
    "log_image": ("nbvc.core.runs.logging", "log_image"),
    "log_dict": ("nbvc.core.runs.logging", "log_dict"),
    "log_table": ("nbvc.core.runs.logging", "log_table"),
    "log_text": ("nbvc.core.runs.logging", "log_text"),
    "ModelVersion": ("nbvc.core.models.registry", "ModelVersion"),
    "log_model": ("nbvc.core.models.registry", "log_model"),
    "load_model": ("nbvc.core.models.registry", "load_model"),
    "autolog": ("nbvc.core.models.autolog", "autolog"),
    "import_mlflow": ("nbvc.core.adopt.import_mlflow", "import_mlflow"),
    "MlflowImportResult": ("nbvc.core.adopt.import_mlflow", "ImportResult"),
    # params, metrics, plots
    "Comparison": ("nbvc.core.metrics.metrics_api", "Comparison"),
    "Row": ("nbvc.core.metrics.compare", "Row"),
    "Side": ("nbvc.core.metrics.compare", "Side"),
    "VEGA_LITE_SCHEMA": ("nbvc.core.metrics.plots", "SCHEMA"),
    "plots_page": ("nbvc.core.metrics.plots", "html_page"),
    "series_spec": ("nbvc.core.metrics.plots", "series_spec"),
    # pipeline
    "ConsoleListener": ("nbvc.core.pipeline.console", "ConsoleListener"),
    "ReproOptions": ("nbvc.core.engine_options", "ReproOptions"),
    "PullOptions": ("nbvc.core.engine_options", "PullOptions"),
    "PushOptions": ("nbvc.core.engine_options", "PushOptions"),
    "TransferOptions": ("nbvc.core.engine_options", "TransferOptions"),
    "VERBS": ("nbvc.core.verbs", "VERBS"),
    "verb_options": ("nbvc.core.verbs", "specs"),
    "option_values": ("nbvc.core.verbs", "values"),
    "options_from_arguments": ("nbvc.core.verbs", "from_arguments"),
    "AddOptions": ("nbvc.core.engine_options", "AddOptions"),
    "VerbOption": ("nbvc.core.verbs", "Spec"),
    "RemoteStatus": ("nbvc.core.remote.remote_status", "RemoteStatus"),
    "CheckoutOptions": ("nbvc.core.front_options", "CheckoutOptions"),
    "LineageOptions": ("nbvc.core.front_options", "LineageOptions"),
    "LogOptions": ("nbvc.core.front_options", "LogOptions"),
    "PLOTS_PAGE": ("nbvc.core.front_options", "PLOTS_PAGE"),
    "PlotsDiffOptions": ("nbvc.core.front_options", "PlotsDiffOptions"),
    "PlotsOptions": ("nbvc.core.front_options", "PlotsOptions"),
    "QUIET_OPTION": ("nbvc.core.verbs", "QUIET"),
    "RunsOptions": ("nbvc.core.front_options", "RunsOptions"),
    "StatusOptions": ("nbvc.core.status_options", "StatusOptions"),
    "add_verb_arguments": ("nbvc.core.verbs", "add_arguments"),
    "plots_diff_refs": ("nbvc.core.front_options", "plots_diff_refs"),
    "ReproResult": ("nbvc.core.pipeline.outcome", "ReproResult"),
    "STAGE_FAILED": ("nbvc.core.pipeline.outcome", "FAILED"),
    "STAGE_RAN": ("nbvc.core.pipeline.outcome", "RAN"),
    "STAGE_RESTORED": ("nbvc.core.pipeline.outcome", "RESTORED"),
    "StageOutcome": ("nbvc.core.pipeline.outcome", "StageOutcome"),
    # lineage
    "CELL_PRODUCER": ("nbvc.core.lineage.cell_record", "CELL_PRODUCER"),
    "CellRecord": ("nbvc.core.lineage.cell_record", "CellRecord"),
    "FileAccess": ("nbvc.core.lineage.cell_record", "FileAccess"),
    "FileState": ("nbvc.core.lineage.cell_record", "FileState"),
    "LINEAGE_READ": ("nbvc.core.lineage.lineage_api", "READ"),
    "LINEAGE_WRITE": ("nbvc.core.lineage.lineage_api", "WRITE"),
    "LineageNode": ("nbvc.core.lineage.graph", "LineageNode"),
    "Script": ("nbvc.core.lineage.script", "Script"),
    "describe_node": ("nbvc.core.lineage.graph", "describe_node"),
    "file_state": ("nbvc.core.lineage.cell_record", "file_state"),
    "render_lineage": ("nbvc.core.lineage.render", "render_lineage"),
    # experiments
    "ApplyResult": ("nbvc.core.experiments.apply", "ApplyResult"),
    "ExpRunOptions": ("nbvc.core.engine_options", "ExpRunOptions"),
    "SweepProgress": ("nbvc.core.experiments.sweep", "SweepProgress"),
    "SweepResult": ("nbvc.core.experiments.sweep", "SweepResult"),
    "SweepTable": ("nbvc.core.experiments.table", "SweepTable"),
    "point_label": ("nbvc.core.experiments.sweep_spec", "point_label"),
    "KubeflowExport": ("nbvc.core.export.kubeflow", "KubeflowExport"),
    "export_kubeflow": ("nbvc.core.export.kubeflow", "export_kubeflow"),
    "system_message": ("nbvc.core.errors", "system_message"),
    "add_skipped_note": ("nbvc.core.artifacts.add", "skipped_note"),
    "load_json_within_limits": ("nbvc.core.formats.limits", "load_json"),
    # DVC projects moving in
    "find_or_adopt": ("nbvc.core.adopt.project", "find_or_adopt"),
    "import_dvc": ("nbvc.core.adopt.import_dvc", "import_dvc"),
    "kill_stage_commands": ("nbvc.core.pipeline.execute", "kill_running"),
    "is_dvc_project": ("nbvc.core.pipeline.dvc_config", "is_dvc_project"),
    # maintenance
    "FSCK_SHOWN_USERS": ("nbvc.core.maintenance.fsck", "SHOWN_USERS"),
    "FsckResult": ("nbvc.core.maintenance.fsck", "FsckResult"),
    # remotes
    "PullResult": ("nbvc.core.remote.transfer", "PullResult"),
    "TransferResult": ("nbvc.core.remote.transfer", "TransferResult"),
    # small tools the front ends share with the engine
    "atomic_write_text": ("nbvc.core.storage.fsutil", "atomic_write_text"),
    "hash_bytes": ("nbvc.core.storage.hashing", "hash_bytes"),
    "is_within": ("nbvc.core.storage.fsutil", "is_within"),
    "new_id": ("nbvc.core.storage.record_store", "new_id"),
    "short_oid": ("nbvc.core.storage.hashing", "short"),
}

# every error type, by its own name (docs/errors.md: exit codes and HTTP statuses)
ERRORS = (
    "ConfigError",
    "CorruptObjectError",
    "DamagedRecordError",
    "DataFileError",
    "FilterError",
    "FolderManifestError",
    "FormatError",
    "ImportSourceError",
    "ExperimentError",
    "LockTimeoutError",
    "LoggingError",
    "MissingObjectError",
    "ModelLoadError",
    "ModelNotFoundError",
    "NbvcError",
    "NoPipelineError",
    "NoProducerError",
    "NotARepoError",
    "NotAnIndexError",
    "NotTrackedError",
    "OverlapError",
    "ParamsError",
    "PathError",
    "PipelineError",
    "RefError",
    "RemoteError",
    "RepoExistsError",
    "RunNotFoundError",
    "StageSelectionError",
    "TransferError",
    "UnsavedChangesError",
    "UnsupportedError",
)
_EXPORTS.update({name: ("nbvc.core.errors", name) for name in ERRORS})

# the same names, written out for type checkers (a test keeps the two equal)
__all__ = [
    "CELL_PRODUCER",
    "FSCK_SHOWN_USERS",
    "LINEAGE_READ",
    "LINEAGE_WRITE",
    "NULL_REPORTER",
    "PLOTS_PAGE",
    "POINTER_SUFFIX",
    "QUIET_OPTION",
    "RUN_SORTS",
    "RUN_VALUE_SORTS",
    "STAGE_FAILED",
    "STAGE_RAN",
    "STAGE_RESTORED",
    "UNCHANGED",
    "VEGA_LITE_SCHEMA",
    "VERBS",
    "WORKSPACE",
    "AddOptions",
    "AddResult",
    "ApplyResult",
    "ArtifactStatus",
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
    "FileAccess",
    "FileState",
    "FilterError",
    "FolderManifestError",
    "FormatError",
    "FsckResult",
    "ImportSourceError",
    "KubeflowExport",
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
    "NbvcError",
    "NoPipelineError",
    "NoProducerError",
    "NotARepoError",
    "NotAnIndexError",
    "NotTrackedError",
    "OverlapError",
    "ParamsError",
    "PathError",
    "PipelineError",
    "PlotsDiffOptions",
    "PlotsOptions",
    "PullOptions",
    "PullResult",
    "PushOptions",
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
    "UnsavedChangesError",
    "UnsupportedError",
    "VerbOption",
    "Version",
    "VersionRecord",
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

if TYPE_CHECKING:
    from nbvc.core.adopt.import_dvc import import_dvc
    from nbvc.core.adopt.import_mlflow import ImportResult as MlflowImportResult
    from nbvc.core.adopt.import_mlflow import import_mlflow
    from nbvc.core.adopt.project import find_or_adopt
    from nbvc.core.artifacts.add import AddResult
    from nbvc.core.artifacts.add import skipped_note as add_skipped_note
    from nbvc.core.artifacts.checkout import CheckoutResult
    from nbvc.core.artifacts.history import Version, VersionRecord
    from nbvc.core.artifacts.pointer import SUFFIX as POINTER_SUFFIX
    from nbvc.core.artifacts.status import UNCHANGED, ArtifactStatus
    from nbvc.core.engine_options import (
        AddOptions,
        ExpRunOptions,
        PullOptions,
        PushOptions,
        ReproOptions,
        TransferOptions,
    )
    from nbvc.core.errors import (
        ConfigError,
        CorruptObjectError,
        DamagedRecordError,
        DataFileError,
        ExperimentError,
        FilterError,
        FolderManifestError,
        FormatError,
        ImportSourceError,
        LockTimeoutError,
        LoggingError,
        MissingObjectError,
        ModelLoadError,
        ModelNotFoundError,
        NbvcError,
        NoPipelineError,
        NoProducerError,
        NotAnIndexError,
        NotARepoError,
        NotTrackedError,
        OverlapError,
        ParamsError,
        PathError,
        PipelineError,
        RefError,
        RemoteError,
        RepoExistsError,
        RunNotFoundError,
        StageSelectionError,
        TransferError,
        UnsavedChangesError,
        UnsupportedError,
        system_message,
    )
    from nbvc.core.experiments.apply import ApplyResult
    from nbvc.core.experiments.sweep import SweepProgress, SweepResult
    from nbvc.core.experiments.sweep_spec import point_label
    from nbvc.core.experiments.table import SweepTable
    from nbvc.core.export.kubeflow import KubeflowExport, export_kubeflow
    from nbvc.core.formats.limits import load_json as load_json_within_limits
    from nbvc.core.formats.numbers import count_text, number_text, plural, size_text, time_text
    from nbvc.core.front_options import (
        PLOTS_PAGE,
        CheckoutOptions,
        LineageOptions,
        LogOptions,
        PlotsDiffOptions,
        PlotsOptions,
        RunsOptions,
        plots_diff_refs,
    )
    from nbvc.core.lineage.cell_record import (
        CELL_PRODUCER,
        CellRecord,
        FileAccess,
        FileState,
        file_state,
    )
    from nbvc.core.lineage.graph import LineageNode, describe_node
    from nbvc.core.lineage.lineage_api import READ as LINEAGE_READ
    from nbvc.core.lineage.lineage_api import WRITE as LINEAGE_WRITE
    from nbvc.core.lineage.render import render_lineage
    from nbvc.core.lineage.script import Script
    from nbvc.core.maintenance.fsck import SHOWN_USERS as FSCK_SHOWN_USERS
    from nbvc.core.maintenance.fsck import FsckResult
    from nbvc.core.metrics.compare import Row, Side
    from nbvc.core.metrics.metrics_api import Comparison
    from nbvc.core.metrics.plots import SCHEMA as VEGA_LITE_SCHEMA
    from nbvc.core.metrics.plots import html_page as plots_page
    from nbvc.core.metrics.plots import series_spec
    from nbvc.core.models.autolog import autolog
    from nbvc.core.models.registry import ModelVersion, load_model, log_model
    from nbvc.core.pipeline.console import ConsoleListener
    from nbvc.core.pipeline.dvc_config import is_dvc_project
    from nbvc.core.pipeline.execute import kill_running as kill_stage_commands
    from nbvc.core.pipeline.outcome import FAILED as STAGE_FAILED
    from nbvc.core.pipeline.outcome import RAN as STAGE_RAN
    from nbvc.core.pipeline.outcome import RESTORED as STAGE_RESTORED
    from nbvc.core.pipeline.outcome import ReproResult, StageOutcome
    from nbvc.core.progress import NULL as NULL_REPORTER
    from nbvc.core.progress import Reporter, Task
    from nbvc.core.remote.remote_status import RemoteStatus
    from nbvc.core.remote.summary import summary as transfer_summary
    from nbvc.core.remote.transfer import PullResult, TransferResult
    from nbvc.core.repo import Repo, find_root
    from nbvc.core.runs.direction import tone as value_tone
    from nbvc.core.runs.listing import SORTS as RUN_SORTS
    from nbvc.core.runs.listing import VALUE_SORTS as RUN_VALUE_SORTS
    from nbvc.core.runs.listing import RunOrder
    from nbvc.core.runs.logging import (
        active_run,
        end_run,
        log_artifact,
        log_dict,
        log_figure,
        log_image,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        log_table,
        log_text,
        set_note,
        set_run_context,
        set_tag,
        set_tags,
        start_run,
    )
    from nbvc.core.runs.run_diff import RunDiff
    from nbvc.core.runs.run_record import RunArtifact, RunRecord, RunStatus, short_id
    from nbvc.core.runs.run_refs import WORKSPACE, RunRef, register_alias_resolver
    from nbvc.core.runs.table import columns as value_columns
    from nbvc.core.runs.table import value_text
    from nbvc.core.status_options import StatusOptions
    from nbvc.core.storage.fsutil import atomic_write_text, is_within
    from nbvc.core.storage.hashing import hash_bytes
    from nbvc.core.storage.hashing import short as short_oid
    from nbvc.core.storage.record_store import new_id
    from nbvc.core.verbs import QUIET as QUIET_OPTION
    from nbvc.core.verbs import VERBS
    from nbvc.core.verbs import Spec as VerbOption
    from nbvc.core.verbs import add_arguments as add_verb_arguments
    from nbvc.core.verbs import from_arguments as options_from_arguments
    from nbvc.core.verbs import specs as verb_options
    from nbvc.core.verbs import values as option_values


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'nbvc.core' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value
