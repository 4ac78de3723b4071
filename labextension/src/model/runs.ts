import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { Query, messageOf } from '../http';
import { IRunComparison, IRunSort, IRunsModel, LoadState } from '../tokens';
import { RunComparison } from './comparison';
import { IModelContext } from './context';

/** Runs fetched per request; a table shows a few dozen at a time. */
export const PAGE_SIZE = 100;
/** The server plots at most this many runs together. */
export const MAX_COMPARED = 10;

const DEFAULT_SORT: IRunSort = { by: 'started', order: 'desc' };

/**
 * The repo's runs in the server's order, fetched a page at a time as the table scrolls, so a
 * repo with thousands of runs costs one small request to show. Pages stay on screen while
 * they are fetched again after a change, so rows never blank out.
 */
export class RunsModel implements IRunsModel {
  constructor(private readonly _context: IModelContext) {}

  get changed(): ISignal<IRunsModel, void> {
    return this._changed;
  }

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get total(): number {
    return this._total;
  }

  get active(): readonly API.IRunSummary[] {
    return this._active;
  }

  get keys(): readonly API.IRunKey[] {
    return this._keys;
  }

  get sort(): IRunSort {
    return this._sort;
  }

  set sort(value: IRunSort) {
    this._sort = { ...value };
    this._state = 'idle';
    this._pages.clear();
    this._generation++;
    this._loading.clear();
    this._changed.emit();
    this.ensure(0, PAGE_SIZE);
  }

  get selected(): readonly string[] {
    return this._selected;
  }

  runAt(index: number): API.IRunSummary | null {
    const page = this._pages.get(Math.floor(index / PAGE_SIZE));
    return page?.[index % PAGE_SIZE] ?? null;
  }

  ensure(start: number, end: number): void {
    if (!this._context.ready() || this._state === 'error') {
      return; // after an error, the next change of the repo (or sort) tries again
    }
    const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
    const last = Math.floor(Math.max(start, end - 1) / PAGE_SIZE);
    for (let page = first; page <= last; page++) {
      const exists = page === 0 || page * PAGE_SIZE < this._total;
      if (exists && !this._pages.has(page) && !this._loading.has(page)) {
        void this._load(page);
      }
    }
  }

  toggle(id: string): void {
    const without = this._selected.filter(selected => selected !== id);
    this._selected =
      without.length === this._selected.length ? [...without, id] : without;
    this._changed.emit();
  }

  clearSelection(): void {
    this._selected = [];
    this._changed.emit();
  }

  compare(ids: readonly string[]): IRunComparison {
    if (ids.length < 2) {
      throw new Error('Select two or more runs to compare.');
    }
    if (ids.length > MAX_COMPARED) {
      throw new Error(`Compare at most ${MAX_COMPARED} runs at once.`);
    }
    const labels = ids.map(id => this._label(id));
    const comparison = new RunComparison(
      this._context.request,
      this._context.location(),
      ids,
      labels
    );
    void comparison.refresh().catch(() => undefined);
    return comparison;
  }

  get filter(): string {
    return this._filter;
  }

  set filter(value: string) {
    const text = value.trim();
    if (text === this._filter) {
      return;
    }
    this._filter = text;
    this._state = 'idle';
    this._message = '';
    this._pages.clear();
    this._generation++;
    this._loading.clear();
    this._changed.emit();
    this.ensure(0, PAGE_SIZE);
  }

  /** The repo changed (`sameRepo`) or another repo is shown: fetch again what was shown. */
  repoChanged(sameRepo: boolean): void {
    const shown = this._pages.size > 0 ? [...this._pages.keys()] : [0];
    const asked = this._state !== 'idle';
    this._generation++;
    this._loading.clear();
    if (!sameRepo) {
      this._pages.clear();
      this._selected = [];
      this._total = 0;
      this._active = [];
      this._keys = [];
      this._state = 'idle';
      this._message = '';
      this._changed.emit();
      return;
    }
    if (asked) {
      for (const page of shown) {
        void this._load(page);
      }
    }
  }

  private async _load(page: number): Promise<void> {
    const generation = this._generation;
    this._loading.add(page);
    if (this._pages.size === 0 && this._state !== 'loading') {
      this._state = 'loading';
      this._changed.emit();
    }
    const sort = this._sort;
    const query: Query = {
      path: this._context.location(),
      sort: sort.by,
      order: sort.order,
      name: sort.name,
      source: sort.source,
      offset: String(page * PAGE_SIZE),
      limit: String(PAGE_SIZE),
      filter: this._filter || undefined
    };
    try {
      const list = await this._context.request<API.IRunList>('runs', query);
      if (generation !== this._generation) {
        return;
      }
      this._pages.set(page, list.runs);
      this._total = list.total;
      this._active = list.active;
      this._keys = list.keys;
      this._state = 'ready';
      this._message = '';
      this._forgetPagesBeyond(list.total);
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      this._state = 'error';
      this._message = messageOf(error);
    } finally {
      if (generation === this._generation) {
        this._loading.delete(page);
      }
    }
    this._changed.emit();
  }

  private _forgetPagesBeyond(total: number): void {
    for (const page of [...this._pages.keys()]) {
      if (page > 0 && page * PAGE_SIZE >= total) {
        this._pages.delete(page);
      }
    }
  }

  private _label(id: string): string {
    for (const page of this._pages.values()) {
      const run = page.find(r => r.id === id);
      if (run) {
        return run.short_id;
      }
    }
    return id.slice(id.lastIndexOf('-') + 1);
  }

  private _sort: IRunSort = DEFAULT_SORT;
  private _filter = '';
  private _state: LoadState = 'idle';
  private _message = '';
  private _total = 0;
  private _active: API.IRunSummary[] = [];
  private _keys: API.IRunKey[] = [];
  private _selected: string[] = [];
  private _generation = 0;
  private readonly _pages = new Map<number, API.IRunSummary[]>();
  private readonly _loading = new Set<number>();
  private readonly _changed = new Signal<IRunsModel, void>(this);
}
