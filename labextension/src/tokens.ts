import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import { API } from './api';

export { API } from './api';

/**
 * What the side panel shows for the folder open in the file browser.
 * `ready`: a repo was found; `none`: the folder is not in an nbvc repo;
 * `error`: the server could not be asked; `loading`: nothing known yet.
 */
export type RepoState = 'loading' | 'ready' | 'none' | 'error';

/** Where a piece of data fetched on demand stands. */
export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

/** The tracked artifacts of the repo, the one selected, its versions and a diff. */
export interface IArtifactsModel {
  readonly changed: ISignal<IArtifactsModel, void>;
  readonly all: readonly API.IArtifact[];
  /** Models and datasets the pipeline file declares (dvc.yaml `artifacts:`). */
  readonly declared: readonly API.IDeclaredArtifact[];
  /** Only artifacts whose path contains this text (case-insensitive) are `visible`. */
  filter: string;
  readonly visible: readonly API.IArtifact[];
  /** The selected artifact's path (relative to the repo root). */
  readonly selected: string | null;
  select(path: string | null): void;
  readonly versions: readonly API.IVersion[];
  readonly versionsState: LoadState;
  /** The selected artifact's logical and stored size (null until loaded, or if unavailable). */
  readonly usage: API.IArtifactUsage | null;
  /** Versions picked to diff (at most two, in the order picked). */
  readonly picked: readonly string[];
  pick(version: string): void;
  readonly diff: API.IDiff | null;
  readonly diffState: LoadState;
  /** Diff two versions of the selected artifact (default: the two picked). */
  showDiff(a?: string, b?: string): Promise<API.IDiff>;
  clearDiff(): void;
  /** Restore a version; without `force` a 409 says the workspace has unsaved changes. */
  checkout(
    artifact: string,
    ref: string | null,
    force?: boolean
  ): Promise<API.ICheckoutResult>;
}

/** How runs are ordered: by a column, or by a metric's or param's value. */
export interface IRunSort {
  by: API.RunSortBy;
  order: 'asc' | 'desc';
  /** With `metric` or `param`: which one. */
  name?: string;
  source?: string;
}

/** The runs of the repo, a page at a time in the server's order, and which are selected. */
export interface IRunsModel {
  readonly changed: ISignal<IRunsModel, void>;
  readonly state: LoadState;
  readonly message: string;
  /** Finished runs in all. */
  readonly total: number;
  /** Runs still open (logging right now, or interrupted). */
  readonly active: readonly API.IRunSummary[];
  /** Every param and metric name seen in runs. */
  readonly keys: readonly API.IRunKey[];
  sort: IRunSort;
  /** Only runs that match, in MLflow's search syntax (empty: all). */
  filter: string;
  /** The run at a position in the current order; null while its page loads. */
  runAt(index: number): API.IRunSummary | null;
  /** Make sure the runs from `start` to `end` (exclusive) are loaded or loading. */
  ensure(start: number, end: number): void;
  /** Selected run ids, in the order they were selected. */
  readonly selected: readonly string[];
  toggle(id: string): void;
  clearSelection(): void;
  /** A comparison of runs (the first is the baseline), loading. */
  compare(ids: readonly string[]): IRunComparison;
}

/** One param or metric across compared runs; `changes[i]` is run i minus the baseline. */
export interface IComparisonRow {
  kind: 'param' | 'metric';
  path: string;
  name: string;
  values: unknown[];
  changes: (number | null)[];
  percents: (number | null)[];
  /** A metric's change against the baseline, by its direction: better, worse or neither. */
  tones: Tone[];
}

export type Tone = 'good' | 'bad' | null;

/** Params and metrics of two or more runs side by side, and their plots. */
export interface IRunComparison extends IDisposable {
  readonly changed: ISignal<IRunComparison, void>;
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  readonly state: LoadState;
  readonly message: string;
  readonly rows: readonly IComparisonRow[];
  readonly plots: readonly API.IPlot[];
  refresh(): Promise<void>;
}

/** The model registry: every version with its aliases, and the artifacts of one run. */
export interface IModelsModel {
  readonly changed: ISignal<IModelsModel, void>;
  readonly state: LoadState;
  readonly message: string;
  /** Every version, by model name then version number. */
  readonly versions: readonly API.IModelVersion[];
  /** The run whose artifacts are shown (the one that logged a chosen version), if any. */
  readonly run: API.IRun | null;
  refresh(): Promise<void>;
  /** Show the artifacts of a run (null: hide them). */
  showRun(id: string | null): Promise<void>;
  /** Where to download a file the shown run logged (null for a folder, or no run shown). */
  artifactUrl(artifact: API.IRunArtifact): string | null;
}

/**
 * Lineage: of one artifact version (what produced it, from what), or of a whole notebook
 * (every cell with the files it read and wrote). One of `artifact` and `notebook` is shown.
 */
export interface ILineageModel {
  readonly changed: ISignal<ILineageModel, void>;
  readonly artifact: string | null;
  readonly ref: string | null;
  /** The notebook shown (relative to the repo root), or null. */
  readonly notebook: string | null;
  readonly state: LoadState;
  readonly message: string;
  readonly root: API.LineageNode | null;
  readonly cells: API.INotebookLineage | null;
  show(artifact: string, ref?: string | null): Promise<void>;
  showNotebook(notebook: string): Promise<void>;
  refresh(): Promise<void>;
}

/** Background jobs (repro, push, pull, add, checkout) of the server, newest first. */
export interface IJobsModel {
  readonly changed: ISignal<IJobsModel, void>;
  /** Emitted once for each job seen to end (succeeded, failed or cancelled). */
  readonly finished: ISignal<IJobsModel, API.IJob>;
  readonly jobs: readonly API.IJob[];
  start(request: API.JobRequest): Promise<API.IJob>;
  cancel(id: string): Promise<void>;
  refresh(): Promise<void>;
}

/**
 * The nbvc model: owns the state of the repo shown in the panel, and keeps it fresh by
 * polling the server's change token. Widgets read it and listen to the `changed` signals;
 * user actions go through commands, which call the model.
 */
/**
 * The sweeps of experiments (running ones first) and the table of the one selected: polled
 * every second while a sweep runs. Rows can be picked to compare; a running sweep can be
 * cancelled; any experiment applied to the workspace (a job).
 */
export interface IExperimentsModel {
  readonly changed: ISignal<IExperimentsModel, void>;
  readonly state: LoadState;
  readonly message: string;
  readonly sweeps: readonly API.ISweepSummary[];
  /** The sweep whose table is shown (its id), or null for none. */
  readonly selected: string | null;
  readonly table: API.ISweepTable | null;
  select(sweep: string | null): Promise<void>;
  /** The metric the table is sorted by (best first), or null for the sweep's order. */
  sort: string | null;
  /** Experiment (run) ids picked for comparison, in the order picked. */
  readonly picked: readonly string[];
  toggle(runId: string): void;
  /** The picked rows, for a side-by-side view. */
  readonly compared: readonly API.IExpRow[];
  refresh(): Promise<void>;
  cancel(sweep: string): Promise<API.ICancelled>;
  apply(runId: string, force?: boolean): Promise<API.IJob>;
}

export interface INbvcModel extends IDisposable {
  /** The folder (relative to the server root) whose repo is shown. */
  path: string;
  readonly state: RepoState;
  readonly repo: API.IRepoInfo | null;
  /** Why the state is `none` or `error`. */
  readonly message: string;
  /** Emitted whenever the state, the repo or its artifacts change. */
  readonly changed: ISignal<INbvcModel, void>;
  readonly artifacts: IArtifactsModel;
  readonly runs: IRunsModel;
  readonly models: IModelsModel;
  readonly lineage: ILineageModel;
  readonly jobs: IJobsModel;
  readonly experiments: IExperimentsModel;
  /** Fetch everything now, whatever the change token says. */
  refresh(): Promise<void>;
  /** An artifact (relative to the repo root) as a path relative to the server root. */
  serverPath(artifact: string): string;
  /** A path relative to the server root as an artifact of the repo shown; null if outside. */
  artifactOf(serverPath: string): string | null;
  /** Start an `add` job for files or folders (relative to the server root). */
  version(serverPaths: readonly string[], message?: string): Promise<API.IJob>;
}

export const INbvcModel = new Token<INbvcModel>(
  'nbvc:INbvcModel',
  'The nbvc model: the repo, artifacts, runs, lineage and jobs of the folder open in the file browser.'
);
