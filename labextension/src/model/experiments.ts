import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { messageOf, post } from '../http';
import { IExperimentsModel, IJobsModel, LoadState } from '../tokens';
import { IModelContext } from './context';

/** Polling while a sweep runs (ms). */
const RUNNING_INTERVAL = 1000;

/**
 * The sweeps and the selected sweep's table; see {@link IExperimentsModel}. Nothing is fetched
 * until the Experiments tab (or a caller) asks; then it is fetched again when the repo changes,
 * and every second while a sweep runs.
 */
export class ExperimentsModel implements IExperimentsModel {
  constructor(
    private readonly _context: IModelContext,
    private readonly _jobs: IJobsModel,
    interval = RUNNING_INTERVAL
  ) {
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: Poll.NEVER, backoff: false },
      name: 'nbvc:experiments',
      standby: 'when-hidden'
    });
    this._interval = interval;
  }

  get changed(): ISignal<IExperimentsModel, void> {
    return this._changed;
  }

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get sweeps(): readonly API.ISweepSummary[] {
    return this._sweeps;
  }

  get selected(): string | null {
    return this._selected;
  }

  get table(): API.ISweepTable | null {
    return this._table;
  }

  get sort(): string | null {
    return this._sort;
  }

  set sort(metric: string | null) {
    this._sort = metric;
    void this.refresh().catch(() => undefined);
  }

  get picked(): readonly string[] {
    return this._picked;
  }

  get compared(): readonly API.IExpRow[] {
    const rows = this._table?.rows ?? [];
    return this._picked
      .map(id => rows.find(row => row.id === id))
      .filter((row): row is API.IExpRow => row !== undefined);
  }

  async select(sweep: string | null): Promise<void> {
    if (sweep !== this._selected) {
      this._selected = sweep;
      this._table = null;
      this._picked = [];
      this._sort = null; // another sweep may not have that metric
      this._changed.emit();
    }
    await this.refresh();
  }

  toggle(runId: string): void {
    this._picked = this._picked.includes(runId)
      ? this._picked.filter(id => id !== runId)
      : [...this._picked, runId];
    this._changed.emit();
  }

  async refresh(): Promise<void> {
    this._used = true;
    await this._poll.refresh();
    await this._poll.tick;
  }

  async cancel(sweep: string): Promise<API.ICancelled> {
    const answer = await this._context.request<API.ICancelled>(
      `experiments/${encodeURIComponent(sweep)}/cancel`,
      {},
      post({ path: this._context.location() })
    );
    await this.refresh();
    return answer;
  }

  apply(runId: string, force = false): Promise<API.IJob> {
    return this._jobs.start({
      kind: 'exp_apply',
      args: { path: this._context.location(), run: runId, force }
    });
  }

  /** Another repo is shown (forget the selection), or this one changed (fetch again). */
  repoChanged(sameRepo: boolean): void {
    if (!sameRepo) {
      this._sweeps = [];
      this._selected = null;
      this._table = null;
      this._picked = [];
      this._state = 'idle';
      this._changed.emit();
    }
    if (this._used) {
      void this.refresh().catch(() => undefined);
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    if (!this._context.ready()) {
      return;
    }
    const path = this._context.location();
    if (this._sweeps.length === 0) {
      this._state = 'loading';
      this._changed.emit();
    }
    try {
      const list = await this._context.request<API.ISweepList>('experiments', {
        path
      });
      this._sweeps = list.sweeps;
      const selected = this._selected ?? list.sweeps[0]?.id ?? null;
      this._selected = selected;
      if (selected !== null) {
        const query: Record<string, string> = { path };
        if (this._sort !== null) {
          query.sort = this._sort;
        }
        this._table = await this._context.request<API.ISweepTable>(
          `experiments/${encodeURIComponent(selected)}`,
          query
        );
      }
      this._state = 'ready';
      this._message = '';
    } catch (error) {
      this._state = 'error';
      this._message = messageOf(error);
    }
    const running = this._sweeps.some(s => s.status === 'running');
    const interval = running ? this._interval : Poll.NEVER;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { ...this._poll.frequency, interval };
    }
    this._changed.emit();
  }

  private _used = false; // fetched only once the view (or a caller) asked for it
  private _state: LoadState = 'idle';
  private _message = '';
  private _sweeps: API.ISweepSummary[] = [];
  private _selected: string | null = null;
  private _table: API.ISweepTable | null = null;
  private _sort: string | null = null;
  private _picked: string[] = [];
  private readonly _interval: number;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<IExperimentsModel, void>(this);
}
