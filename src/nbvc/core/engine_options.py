"""The options of the verbs the engine takes whole (add, push, pull, repro, exp run), declared
once for every front end (see :mod:`nbvc.core.verbs`, which holds how options are declared and
offered; these live apart so that a verb which needs none of them, `nbvc status` above all,
does not pay for building their classes at start-up)."""

from __future__ import annotations

from dataclasses import dataclass

from nbvc.core.verbs import MAX_NAME, MAX_PATH, MAX_SPEC, MAX_TEXT, option


@dataclass(frozen=True)
class AddOptions:
    paths: tuple[str, ...] = option(
        (), "files or folders to version", metavar="PATH", required=True, max_length=MAX_PATH
    )
    message: str = option("", "what this version is", "-m", "--message", max_length=MAX_TEXT)
    tags: tuple[str, ...] = option(
        (), "tag the version (repeatable)", "-t", "--tag", metavar="TAG", max_length=MAX_NAME
    )


@dataclass(frozen=True)
class TransferOptions:
    """``fetch`` (``push`` adds ``check``, ``pull`` adds ``force``)."""

    paths: tuple[str, ...] = option(
        (),
        "artifacts (default: every tracked one)",
        metavar="PATH",
        rest="targets",
        max_length=MAX_PATH,
    )
    remote: str | None = option(
        None,
        "remote to use (default: the default remote)",
        "-r",
        "--remote",
        metavar="NAME",
        max_length=MAX_NAME,
    )
    all_versions: bool = option(
        False, "every recorded version, not only what the pointer files name", "--all-versions"
    )
    jobs: int | None = option(
        None,
        "parallel transfers (default: config)",
        "-j",
        "--jobs",
        metavar="N",
        minimum=1,
        rest=None,
    )


@dataclass(frozen=True)
class PushOptions(TransferOptions):
    check: bool = option(
        False,
        "ask the remote what it lacks even if nothing changed since the last push",
        "--check",
        rest=None,
    )
    run_cache: bool = option(
        False,
        "also send the outputs of every run-cache entry, for `repro --pull` elsewhere",
        "--run-cache",
        rest=None,
    )


@dataclass(frozen=True)
class PullOptions(TransferOptions):
    force: bool = option(False, "discard workspace changes not saved in nbvc", "-f", "--force")


@dataclass(frozen=True)
class ReproOptions:
    targets: tuple[str, ...] = option(
        (), "stages to bring up to date (default: all)", metavar="STAGE", max_length=MAX_NAME
    )
    force: bool = option(False, "run even if up to date", "-f", "--force")
    dry: bool = option(False, "only say what would run", "--dry", rest="dry_run")
    single_item: bool = option(
        False,
        "only the named stages, not upstream",
        "-s",
        "--single-item",
        rest=None,
    )
    downstream: bool = option(False, "the named stages and every stage after them", "--downstream")
    keep_going: bool = option(
        False, "after a failure, run independent stages", "-k", "--keep-going"
    )
    run_cache: bool = option(
        True,
        "run stages instead of restoring outputs",
        "--no-run-cache",
        rest=None,
    )
    pull: bool = option(
        False,
        "fetch a run-cache hit's outputs from the default remote when this cache lacks them",
        "--pull",
        rest=None,
    )
    json: bool = option(
        False,
        "print what each stage did as JSON (the stages' output goes to stderr)",
        "--json",
        rest=None,
    )


@dataclass(frozen=True)
class ExpRunOptions:
    """``nbvc exp run``: a sweep of experiments, each in a workspace of its own."""

    targets: tuple[str, ...] = option(
        (), "stages to run (default: all)", metavar="STAGE", max_length=MAX_NAME
    )
    set_params: tuple[str, ...] = option(
        (),
        "[FILE:]KEY=VALUES: one value, a comma list, range(a,b[,step]), linspace(a,b,n) or "
        "choice(...); several -S make a grid (repeatable)",
        "-S",
        "--set-param",
        metavar="[FILE:]KEY=VALUES",
        max_length=MAX_SPEC,
    )
    random: int | None = option(
        None, "run N points picked at random from the grid", "--random", metavar="N", minimum=1
    )
    seed: int | None = option(
        None,
        "seed of --random (default: a new sample each time)",
        "--seed",
        metavar="N",
        minimum=0,
        rest=None,
    )
    name: str | None = option(
        None,
        "name of the sweep (its runs are NAME-1, NAME-2, ...)",
        "-n",
        "--name",
        metavar="NAME",
        max_length=MAX_NAME,
    )
    tags: tuple[str, ...] = option(
        (), "tag the sweep's runs (repeatable)", "-t", "--tag", metavar="TAG", max_length=MAX_NAME
    )
    workers: int | None = option(
        None,
        "run on a Dask LocalCluster of N workers (threads starting the stages' commands)",
        "-w",
        "--workers",
        metavar="N",
        minimum=1,
    )
    scheduler: str | None = option(
        None,
        "submit to the Dask scheduler at this address (default: config exp.scheduler)",
        "--scheduler",
        metavar="tcp://HOST:PORT",
        max_length=MAX_NAME,
    )
    run_cache: bool = option(
        True,
        "run every point even where the run cache has its outputs",
        "--no-run-cache",
        rest=None,
    )
    metric: str | None = option(
        None,
        "the metric the notebook's chart shows (default: the first)",
        "--metric",
        metavar="METRIC",
        max_length=MAX_NAME,
        cli=False,
        rest=None,
    )
