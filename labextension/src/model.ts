import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { RequestError, requestAPI } from './request';
import { API, INbvcModel, RepoState } from './tokens';

/** How often the change token is polled, in milliseconds. */
const POLL_INTERVAL = 1500;
const NOT_FOUND = 404;

/**
 * The state of the repo holding `path`, refreshed whenever the server's change token moves
 * (a kernel, the CLI or another tab changed something) or the path changes.
 */
export class NbvcModel implements INbvcModel {
  constructor(options: NbvcModel.IOptions = {}) {
    this._poll = new Poll({
      factory: () => this._check(),
      frequency: {
        interval: options.interval ?? POLL_INTERVAL,
        backoff: true,
        max: 30 * 1000
      },
      name: 'nbvc:changes',
      standby: 'when-hidden'
    });
  }

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

  get artifacts(): readonly API.IArtifact[] {
    return this._artifacts;
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

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** One poll: ask for the change token; fetch everything if it moved. */
  private async _check(): Promise<void> {
    const path = this._path;
    try {
      const changes = await requestAPI<API.IChanges>('changes', {
        path,
        since: this._token
      });
      if (!changes.changed) {
        return;
      }
      const [repo, listing] = await Promise.all([
        requestAPI<API.IRepoInfo>('repo', { path }),
        requestAPI<API.IArtifactList>('artifacts', { path })
      ]);
      if (path === this._path) {
        this._token = changes.token;
        this._set('ready', repo, listing.artifacts, '');
      }
    } catch (error) {
      if (path !== this._path) {
        return;
      }
      this._token = '';
      if (error instanceof RequestError && error.status === NOT_FOUND) {
        this._set('none', null, [], error.message);
      } else {
        this._set('error', null, [], String(error));
        throw error; // lets the poll back off while the server is unreachable
      }
    }
  }

  private _set(
    state: RepoState,
    repo: API.IRepoInfo | null,
    artifacts: API.IArtifact[],
    message: string
  ): void {
    this._state = state;
    this._repo = repo;
    this._artifacts = artifacts;
    this._message = message;
    this._changed.emit();
  }

  private _path = '';
  private _token = '';
  private _state: RepoState = 'loading';
  private _repo: API.IRepoInfo | null = null;
  private _artifacts: API.IArtifact[] = [];
  private _message = '';
  private readonly _poll: Poll;
  private readonly _changed = new Signal<INbvcModel, void>(this);
}

export namespace NbvcModel {
  export interface IOptions {
    /** Milliseconds between polls of the change token (default 1500). */
    interval?: number;
  }
}
