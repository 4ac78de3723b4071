import { ReadonlyJSONObject } from '@lumino/coreutils';

/**
 * Types of the REST API's requests and answers, mirroring the schemas in
 * `src/nbvc/server/openapi.yaml` (served at `/nbvc/api/openapi.json`). Field names are the
 * wire names. Values whose shape the contract leaves open are `unknown`, never `any`.
 */
export namespace API {
  export type ArtifactState =
    'unchanged' | 'modified' | 'deleted' | 'not in cache';

  export interface IError {
    message: string;
  }

  export interface IRepoInfo {
    /** The repo root relative to the server root ('' for the root itself). */
    root: string;
    tracked: number;
    git: boolean;
    nbvc_version: string;
  }

  export interface IVersion {
    version: string;
    number: number;
    oid: string;
    kind: 'file' | 'dir';
    size: number;
    files: number;
    /** Seconds since the epoch. */
    created: number;
    author: string;
    message: string;
    /** `stage:<stage>@<run id>` or `cell:<lineage record id>`. */
    producer: string | null;
    tags: string[];
  }

  export interface IArtifact {
    /** Relative to the repo root. */
    path: string;
    type: 'file' | 'dir';
    state: ArtifactState;
    in_cache: boolean;
    /** The version the pointer file names. */
    version: number | null;
    /** How many versions are recorded. */
    versions: number;
    latest: IVersion | null;
    tags: string[];
  }

  export interface IArtifactList {
    root: string;
    artifacts: IArtifact[];
  }

  export interface IVersionList {
    path: string;
    versions: IVersion[];
  }

  /** What an artifact's versions would cost as copies, and what they cost in the cache. */
  export interface IArtifactUsage {
    path: string;
    versions: number;
    /** Sum of every version's size, in bytes. */
    logical_size: number;
    /** Bytes of the distinct objects and chunks its versions use in this cache. */
    stored_size: number;
    dedup_ratio: number;
    missing_objects: number;
  }

  export interface IUsage {
    artifacts: IArtifactUsage[];
    logical_size: number;
    stored_size: number;
    dedup_ratio: number;
    packs: number;
    chunks: number;
  }

  export interface ISizedPath {
    path: string;
    size: number;
  }

  export interface IModifiedPath {
    path: string;
    old_size: number;
    new_size: number;
  }

  export interface IDiff {
    path: string;
    old: string;
    new: string;
    added: ISizedPath[];
    removed: ISizedPath[];
    modified: IModifiedPath[];
  }

  export interface ICheckoutRequest {
    path?: string;
    artifact: string;
    ref?: string | null;
    force?: boolean;
  }

  export interface ICheckoutResult {
    path: string;
    version: string;
    oid: string;
    written: number;
    deleted: number;
    changed: boolean;
  }

  export interface IAddRequest {
    path?: string;
    paths: string[];
    message?: string;
    tags?: string[];
  }

  export interface IAddResult {
    added: { path: string; created: boolean; version: IVersion }[];
  }

  export interface IChanges {
    token: string;
    changed: boolean;
  }

  // -- runs ---------------------------------------------------------------------------------

  /** source (a params/metrics file, or `logged`) -> dotted name -> value */
  export type ValuesByFile = Record<string, Record<string, unknown>>;

  export type RunStatus = 'completed' | 'failed' | 'interrupted' | 'running';

  export interface IRunSummary {
    id: string;
    short_id: string;
    source: string;
    status: RunStatus;
    started: number | null;
    ended: number | null;
    duration: number | null;
    git: string | null;
    params: ValuesByFile;
    metrics: ValuesByFile;
  }

  export interface IRunKey {
    kind: 'param' | 'metric';
    source: string;
    name: string;
    runs: number;
  }

  export type RunSortColumn = 'started' | 'ended' | 'duration' | 'status';
  export type RunSortBy = RunSortColumn | 'metric' | 'param';

  export interface IRunList {
    total: number;
    offset: number;
    limit: number;
    runs: IRunSummary[];
    active: IRunSummary[];
    keys: IRunKey[];
  }

  /** [step, value (null: not a finite number), time] */
  export type SeriesPoint = [number, number | null, number];

  export interface IStageEntry {
    status: string;
    reason: string;
    duration?: number;
    error?: string;
  }

  export interface IRun extends IRunSummary {
    env: Record<string, unknown>;
    pipeline: string | null;
    targets: string[];
    series: Record<string, SeriesPoint[]>;
    stages: Record<string, IStageEntry>;
    plots: { path: string; oid: string; props: Record<string, unknown> }[];
  }

  export interface IValues {
    ref: string;
    kind: 'run' | 'workspace' | 'git';
    values: ValuesByFile;
  }

  export interface IValueChange {
    /** The params/metrics file, or `logged`. */
    path: string;
    name: string;
    old: unknown;
    new: unknown;
    change: number | null;
    percent: number | null;
  }

  export interface IValuesDiff {
    a: string;
    b: string;
    changes: IValueChange[];
  }

  export interface IPlot {
    /** `metric:<name>` or `file:<path>`. */
    id: string;
    title: string;
    /** A Vega-Lite v5 specification with its data inlined. */
    spec: ReadonlyJSONObject;
  }

  export interface IPlotList {
    plots: IPlot[];
  }

  // -- lineage ------------------------------------------------------------------------------

  interface ILineageNodeBase {
    label: string;
    /** Expanded elsewhere in the same tree. */
    repeated?: boolean;
  }

  export interface ILineageArtifact extends ILineageNodeBase {
    type: 'artifact';
    path: string;
    oid: string | null;
    version: string | null;
    /** The tracked folder holding the file, as `folder@vN`. */
    in?: string;
    note?: string;
    producers: LineageNode[];
  }

  export interface ILineageCell extends ILineageNodeBase {
    type: 'cell';
    id: string;
    /** The notebook relative to the repo root, if known. */
    notebook?: string | null;
    /** The notebook relative to the server root (what JupyterLab opens); null if not served. */
    notebook_path?: string | null;
    cell_id?: string | null;
    execution_count?: number | null;
    started?: number;
    source_oid?: string;
    /** Names of variables it took from this upstream cell. */
    via?: string[];
    /** The lineage record is not in this repo. */
    missing?: boolean;
    inputs: LineageNode[];
  }

  export interface ILineageStage extends ILineageNodeBase {
    type: 'stage';
    stage: string;
    run: string | null;
    inputs: LineageNode[];
  }

  export type LineageNode = ILineageArtifact | ILineageCell | ILineageStage;

  export interface ILineage {
    root: LineageNode;
  }

  export interface IFileAccess {
    path: string;
    oid: string | null;
    size: number | null;
    artifact?: string | null;
    version?: number | null;
  }

  export interface INotebookLineage {
    notebook: string;
    notebook_path: string | null;
    session: string | null;
    cells: {
      id: string;
      label: string;
      cell_id: string | null;
      execution_count: number | null;
      started: number;
      ended: number;
      success: boolean;
      reads: IFileAccess[];
      writes: IFileAccess[];
    }[];
  }

  // -- jobs ---------------------------------------------------------------------------------

  export type JobKind =
    'add' | 'checkout' | 'gc' | 'fsck' | 'repro' | 'push' | 'pull';
  export type JobState =
    'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

  export interface IJobStep {
    name: string;
    /** `pending`, `running`, or how it ended (`ran`, `skipped`, `failed`, ...). */
    state: string;
    detail: string;
  }

  export interface IJobProgress {
    done: number;
    total: number | null;
    unit: string;
    message: string;
    steps: IJobStep[];
  }

  export interface IJob {
    id: string;
    kind: JobKind;
    args: Record<string, unknown>;
    state: JobState;
    created: number;
    started: number | null;
    finished: number | null;
    cancel_requested: boolean;
    progress: IJobProgress;
    log: string[];
    log_lines: number;
    /** Set when the job succeeded; its shape depends on the kind. */
    result: unknown;
    error: IError | null;
  }

  export interface IJobList {
    jobs: IJob[];
  }

  export interface IReproArgs {
    path?: string;
    targets?: string[];
    force?: boolean;
    dry_run?: boolean;
    keep_going?: boolean;
    downstream?: boolean;
  }

  export interface ITransferArgs {
    path?: string;
    remote?: string | null;
    targets?: string[];
    all_versions?: boolean;
  }

  export interface IPullArgs extends ITransferArgs {
    force?: boolean;
  }

  export type JobRequest =
    | { kind: 'add'; args: IAddRequest }
    | { kind: 'checkout'; args: ICheckoutRequest }
    | {
        kind: 'gc';
        args: { path?: string; dry_run?: boolean; keep_last?: number | null };
      }
    | { kind: 'fsck'; args: { path?: string } }
    | { kind: 'repro'; args: IReproArgs }
    | { kind: 'push'; args: ITransferArgs }
    | { kind: 'pull'; args: IPullArgs };
}
