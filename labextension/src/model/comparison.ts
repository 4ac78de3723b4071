import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { RequestFn, messageOf } from '../http';
import { IComparisonRow, IRunComparison, LoadState, Tone } from '../tokens';

type Kind = IComparisonRow['kind'];

/**
 * Params and metrics of runs side by side, each against the first run (the baseline), and
 * their plots. The differences are the server's (`/metrics/diff`, `/params/diff`), so the
 * panel shows exactly what `nbvc metrics diff` prints.
 */
export class RunComparison implements IRunComparison {
  constructor(
    private readonly _request: RequestFn,
    private readonly _location: string,
    readonly ids: readonly string[],
    readonly labels: readonly string[]
  ) {}

  get changed(): ISignal<IRunComparison, void> {
    return this._changed;
  }

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get rows(): readonly IComparisonRow[] {
    return this._rows;
  }

  get plots(): readonly API.IPlot[] {
    return this._plots;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    this._state = 'loading';
    this._changed.emit();
    try {
      const [diffs, plots] = await Promise.all([
        Promise.all(this.ids.slice(1).map(id => this._diffs(id))),
        this._request<API.IPlotList>('plots', {
          path: this._location,
          run: this.ids
        })
      ]);
      this._rows = mergeRows(this.ids.length, diffs);
      this._plots = plots.plots;
      this._state = 'ready';
      this._message = '';
    } catch (error) {
      this._state = 'error';
      this._message = messageOf(error);
      throw error;
    } finally {
      if (!this._isDisposed) {
        this._changed.emit();
      }
    }
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Metrics and params of the baseline against run `id`, every value listed. */
  private async _diffs(id: string): Promise<[Kind, API.IValuesDiff][]> {
    const query = { path: this._location, a: this.ids[0], b: id, all: 'true' };
    const [metrics, params] = await Promise.all([
      this._request<API.IValuesDiff>('metrics/diff', query),
      this._request<API.IValuesDiff>('params/diff', query)
    ]);
    return [
      ['metric', metrics],
      ['param', params]
    ];
  }

  private _state: LoadState = 'idle';
  private _message = '';
  private _rows: IComparisonRow[] = [];
  private _plots: API.IPlot[] = [];
  private _isDisposed = false;
  private readonly _changed = new Signal<IRunComparison, void>(this);
}

/**
 * One row per (kind, file, name) over `count` runs: `diffs[i]` compares run 0 with run i + 1.
 * Metrics come first; rows are sorted by file, then name.
 */
export function mergeRows(
  count: number,
  diffs: [Kind, API.IValuesDiff][][]
): IComparisonRow[] {
  const rows = new Map<string, IComparisonRow>();
  diffs.forEach((pair, index) => {
    const column = index + 1;
    for (const [kind, diff] of pair) {
      for (const change of diff.changes) {
        const key = [kind, change.path, change.name].join('\u0000');
        let row = rows.get(key);
        if (row === undefined) {
          row = {
            kind,
            path: change.path,
            name: change.name,
            values: new Array<unknown>(count).fill(null),
            changes: new Array<number | null>(count).fill(null),
            percents: new Array<number | null>(count).fill(null),
            tones: new Array<Tone>(count).fill(null)
          };
          rows.set(key, row);
        }
        row.values[0] = change.old;
        row.values[column] = change.new;
        row.changes[column] = change.change;
        row.percents[column] = change.percent;
        row.tones[column] = change.tone ?? null;
      }
    }
  });
  const order = (kind: Kind): number => (kind === 'metric' ? 0 : 1);
  return [...rows.values()].sort(
    (x, y) =>
      order(x.kind) - order(y.kind) ||
      x.path.localeCompare(y.path) ||
      x.name.localeCompare(y.name)
  );
}
