import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { post } from '../http';
import { IJobsModel } from '../tokens';
import { IModelContext } from './context';

/** Polling while a job runs (ms); slower while none does, to notice jobs of other tabs. */
const ACTIVE_INTERVAL = 1000;
const IDLE_INTERVAL = 5000;
/** Log lines fetched for each job. */
export const LOG_TAIL = 200;

const ENDED: ReadonlySet<API.JobState> = new Set([
  'succeeded',
  'failed',
  'cancelled'
]);

export function isActive(job: API.IJob): boolean {
  return !ENDED.has(job.state);
}

/**
 * The server's jobs, newest first: polled every second while one runs. `finished` fires once
 * for each job this model saw running and then saw end.
 */
export class JobsModel implements IJobsModel {
  constructor(
    private readonly _context: IModelContext,
    interval = ACTIVE_INTERVAL
  ) {
    this._interval = interval;
    this._idle = Math.max(IDLE_INTERVAL, interval);
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: {
        interval: this._idle,
        backoff: true,
        max: Math.max(60 * 1000, this._idle)
      },
      name: 'nbvc:jobs',
      standby: 'when-hidden'
    });
  }

  get changed(): ISignal<IJobsModel, void> {
    return this._changed;
  }

  get finished(): ISignal<IJobsModel, API.IJob> {
    return this._finished;
  }

  get jobs(): readonly API.IJob[] {
    return this._jobs;
  }

  async start(request: API.JobRequest): Promise<API.IJob> {
    const job = await this._context.request<API.IJob>(
      'jobs',
      {},
      post(request)
    );
    this._merge([job, ...this._jobs.filter(j => j.id !== job.id)]);
    void this._poll.refresh();
    return job;
  }

  async cancel(id: string): Promise<void> {
    const job = await this._context.request<API.IJob>(
      `jobs/${encodeURIComponent(id)}`,
      {},
      { method: 'DELETE' }
    );
    this._merge(this._jobs.map(j => (j.id === job.id ? job : j)));
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    const list = await this._context.request<API.IJobList>('jobs', {
      tail: String(LOG_TAIL)
    });
    this._merge(list.jobs);
  }

  /** Take a new list; announce jobs that ended; poll fast while any runs. */
  private _merge(jobs: API.IJob[]): void {
    for (const job of jobs) {
      if (isActive(job)) {
        this._running.add(job.id);
      } else if (this._running.delete(job.id)) {
        this._finished.emit(job);
      }
    }
    this._jobs = jobs;
    const interval = this._running.size > 0 ? this._interval : this._idle;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { ...this._poll.frequency, interval };
    }
    this._changed.emit();
  }

  private _jobs: API.IJob[] = [];
  private readonly _running = new Set<string>();
  private readonly _interval: number;
  private readonly _idle: number;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<IJobsModel, void>(this);
  private readonly _finished = new Signal<IJobsModel, API.IJob>(this);
}
