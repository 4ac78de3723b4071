import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { NOT_FOUND, RequestError, RequestFn } from '../http';
import { INbvcModel, RepoState } from '../tokens';
import { ArtifactsModel } from './artifacts';
import { IModelContext } from './context';
import { ExperimentsModel } from './experiments';
import { JobsModel } from './jobs';
import { LineageModel } from './lineage';
import { ModelsModel } from './models';
import { RunsModel } from './runs';

/** How often the change token is polled, in milliseconds. */
const POLL_INTERVAL = 1500;

/**
 * The state of the repo holding `path`, refreshed whenever the server's change token moves
 * (a kernel, the CLI or another tab changed something) or the path changes. Owns the
 * part-models (artifacts, runs, lineage, jobs) and tells them when the repo changed.
 */
export class NbvcModel implements INbvcModel {
  constructor(options: NbvcModel.IOptions) {
    this._request = options.request;
    const context: IModelContext = {
      request: options.request,
      location: () => this._path,
      ready: () => this._state === 'ready'
    };
    this.artifacts = new ArtifactsModel(context);
    this.runs = new RunsModel(context);
    this.models = new ModelsModel(context);
    this.lineage = new LineageModel(context);
    this.jobs = new JobsModel(context, options.jobInterval);
    this.jobs.finished.connect(this._onJobFinished, this);
    this.experiments = new ExperimentsModel(context, this.jobs);
    this._poll = new Poll({
      factory: () => this._check(),
      frequency: {
        interval: options.interval ?? POLL_INTERVAL,
        backoff: true,
        max: Math.max(30 * 1000, options.interval ?? 0)
      },
      name: 'nbvc:changes',
      standby: 'when-hidden'
    });
  }

  readonly artifacts: ArtifactsModel;
  readonly runs: RunsModel;
  readonly models: ModelsModel;
  readonly lineage: LineageModel;
  readonly jobs: JobsModel;
  readonly experiments: ExperimentsModel;

  get path(): string {
    return this._path;
  }

  set path(value: string) {
    if (value === this._path) {
      return;
    }
    this._path = value;
    this._token = '';
    void this._poll.refresh();
  }

  get state(): RepoState {
    return this._state;
  }

  get repo(): API.IRepoInfo | null {
    return this._repo;
  }

  get message(): string {
    return this._message;
  }

  get changed(): ISignal<INbvcModel, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  async refresh(): Promise<void> {
    this._token = '';
    await this._poll.refresh();
    await this._poll.tick;
  }

  serverPath(artifact: string): string {
    const root = this._repo?.root ?? '';
    return root === '' ? artifact : `${root}/${artifact}`;
  }

  artifactOf(serverPath: string): string | null {
    if (!this._repo) {
      return null;
    }
    const root = this._repo.root;
    if (root === '') {
      return serverPath;
    }
    return serverPath.startsWith(`${root}/`)
      ? serverPath.slice(root.length + 1)
      : null;
  }

  async version(
    serverPaths: readonly string[],
    message = ''
  ): Promise<API.IJob> {
    if (serverPaths.length === 0) {
      throw new Error('Select the files or folders to version.');
    }
    const location = parentOf(serverPaths[0]);
    const repo = await this._request<API.IRepoInfo>('repo', {
      path: location
    });
    const prefix = repo.root === '' ? '' : `${repo.root}/`;
    const paths = serverPaths.map(path => {
      if (!path.startsWith(prefix)) {
        throw new Error(
          `${path} is not in the repo at /${repo.root}; version it from its own repo.`
        );
      }
      return path.slice(prefix.length);
    });
    return this.jobs.start({
      kind: 'add',
      args: { path: location, paths, message }
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    this.jobs.dispose();
    this.experiments.dispose();
    Signal.clearData(this);
  }

  /** One poll: ask for the change token; fetch everything if it moved. */
  private async _check(): Promise<void> {
    const path = this._path;
    try {
      const changes = await this._request<API.IChanges>('changes', {
        path,
        since: this._token
      });
      if (!changes.changed) {
        return;
      }
      const [repo, listing] = await Promise.all([
        this._request<API.IRepoInfo>('repo', { path }),
        this._request<API.IArtifactList>('artifacts', { path })
      ]);
      if (path !== this._path) {
        return;
      }
      const sameRepo = this._repo !== null && this._repo.root === repo.root;
      this._token = changes.token;
      this._set('ready', repo, '');
      this.artifacts.update(
        listing.artifacts,
        sameRepo,
        listing.declared ?? []
      );
      this.runs.repoChanged(sameRepo);
      this.models.repoChanged(sameRepo);
      this.lineage.repoChanged(sameRepo);
      this.experiments.repoChanged(sameRepo);
    } catch (error) {
      if (path !== this._path) {
        return;
      }
      this._token = '';
      const state =
        error instanceof RequestError && error.status === NOT_FOUND
          ? 'none'
          : 'error';
      this._set(state, null, messageOf(error));
      this.artifacts.update([], false);
      this.runs.repoChanged(false);
      this.models.repoChanged(false);
      this.lineage.repoChanged(false);
      this.experiments.repoChanged(false);
      if (state === 'error') {
        throw error; // lets the poll back off while the server is unreachable
      }
    }
  }

  private _onJobFinished(): void {
    void this.refresh().catch(() => undefined);
  }

  private _set(
    state: RepoState,
    repo: API.IRepoInfo | null,
    message: string
  ): void {
    this._state = state;
    this._repo = repo;
    this._message = message;
    this._changed.emit();
  }

  private _path = '';
  private _token = '';
  private _state: RepoState = 'loading';
  private _repo: API.IRepoInfo | null = null;
  private _message = '';
  private readonly _request: RequestFn;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<INbvcModel, void>(this);
}

export namespace NbvcModel {
  export interface IOptions {
    /** How to call the server (`requestAPI`). */
    request: RequestFn;
    /** Milliseconds between polls of the change token (default 1500). */
    interval?: number;
    /** Milliseconds between polls of running jobs (default 1000). */
    jobInterval?: number;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
