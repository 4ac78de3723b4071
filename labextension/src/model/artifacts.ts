import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { post } from '../http';
import { IArtifactsModel, LoadState } from '../tokens';
import { IModelContext } from './context';

/**
 * The tracked artifacts, the selected one with its versions, and a diff of two versions.
 * The owning model hands it each new listing; versions of the selected artifact are fetched
 * when it is selected and again whenever the listing changes.
 */
export class ArtifactsModel implements IArtifactsModel {
  constructor(private readonly _context: IModelContext) {}

  get changed(): ISignal<IArtifactsModel, void> {
    return this._changed;
  }

  get all(): readonly API.IArtifact[] {
    return this._all;
  }

  get declared(): readonly API.IDeclaredArtifact[] {
    return this._declared;
  }

  get filter(): string {
    return this._filter;
  }

  set filter(value: string) {
    if (value === this._filter) {
      return;
    }
    this._filter = value;
    this._visible = null;
    this._changed.emit();
  }

  get visible(): readonly API.IArtifact[] {
    if (this._visible === null) {
      const needle = this._filter.trim().toLowerCase();
      this._visible =
        needle === ''
          ? this._all
          : this._all.filter(a => a.path.toLowerCase().includes(needle));
    }
    return this._visible;
  }

  get selected(): string | null {
    return this._selected;
  }

  get versions(): readonly API.IVersion[] {
    return this._versions;
  }

  get versionsState(): LoadState {
    return this._versionsState;
  }

  get usage(): API.IArtifactUsage | null {
    return this._usage;
  }

  get picked(): readonly string[] {
    return this._picked;
  }

  get diff(): API.IDiff | null {
    return this._diff;
  }

  get diffState(): LoadState {
    return this._diffState;
  }

  select(path: string | null): void {
    if (path === this._selected) {
      return;
    }
    this._selected = path;
    this._versions = [];
    this._picked = [];
    this._diff = null;
    this._diffState = 'idle';
    this._versionsState = path === null ? 'idle' : 'loading';
    this._usage = null;
    this._changed.emit();
    if (path !== null) {
      void this._loadVersions();
    }
  }

  pick(version: string): void {
    const picked = this._picked.filter(v => v !== version);
    if (picked.length === this._picked.length) {
      picked.push(version);
    }
    this._picked = picked.slice(-2);
    this._changed.emit();
  }

  async showDiff(a?: string, b?: string): Promise<API.IDiff> {
    const artifact = this._selected;
    const [old, current] =
      a !== undefined && b !== undefined ? [a, b] : this._orderedPicks();
    if (artifact === null || old === undefined || current === undefined) {
      throw new Error('Pick two versions of an artifact to diff.');
    }
    this._diffState = 'loading';
    this._changed.emit();
    try {
      const diff = await this._context.request<API.IDiff>('artifacts/diff', {
        path: this._context.location(),
        artifact,
        a: old,
        b: current
      });
      if (artifact === this._selected) {
        this._diff = diff;
        this._diffState = 'ready';
        this._changed.emit();
      }
      return diff;
    } catch (error) {
      this._diffState = 'error';
      this._changed.emit();
      throw error;
    }
  }

  clearDiff(): void {
    this._diff = null;
    this._diffState = 'idle';
    this._changed.emit();
  }

  checkout(
    artifact: string,
    ref: string | null,
    force = false
  ): Promise<API.ICheckoutResult> {
    const body: API.ICheckoutRequest = {
      path: this._context.location(),
      artifact,
      ref,
      force
    };
    return this._context.request<API.ICheckoutResult>(
      'artifacts/checkout',
      {},
      post(body)
    );
  }

  /** A new listing from the server; `sameRepo` keeps the selection. */
  update(
    artifacts: API.IArtifact[],
    sameRepo: boolean,
    declared: API.IDeclaredArtifact[] = []
  ): void {
    this._all = artifacts;
    this._declared = declared;
    this._visible = null;
    const selected = this._selected;
    if (selected !== null && !sameRepo) {
      this.select(null);
    } else if (selected !== null) {
      void this._loadVersions();
    }
    this._changed.emit();
  }

  /** The picked versions, older first. */
  private _orderedPicks(): (string | undefined)[] {
    const number = (label: string): number =>
      this._versions.find(v => v.version === label)?.number ?? 0;
    return [...this._picked].sort((x, y) => number(x) - number(y));
  }

  private async _loadVersions(): Promise<void> {
    const artifact = this._selected;
    if (artifact === null || !this._context.ready()) {
      return;
    }
    try {
      const list = await this._context.request<API.IVersionList>(
        'artifacts/versions',
        { path: this._context.location(), artifact }
      );
      if (artifact !== this._selected) {
        return;
      }
      this._versions = list.versions;
      this._versionsState = 'ready';
      void this._loadUsage(artifact);
      const known = new Set(list.versions.map(v => v.version));
      this._picked = this._picked.filter(v => known.has(v));
    } catch {
      if (artifact !== this._selected) {
        return;
      }
      this._versions = [];
      this._versionsState = 'error';
    }
    this._changed.emit();
  }

  /** Sizes are a detail: a failure leaves them out and changes nothing else. */
  private async _loadUsage(artifact: string): Promise<void> {
    try {
      const usage = await this._context.request<API.IUsage>('artifacts/usage', {
        path: this._context.location(),
        artifact
      });
      if (artifact === this._selected) {
        this._usage = usage.artifacts[0] ?? null;
        this._changed.emit();
      }
    } catch {
      // an older server, or an artifact without versions: no sizes shown
    }
  }

  private _all: API.IArtifact[] = [];
  private _declared: readonly API.IDeclaredArtifact[] = [];
  private _visible: readonly API.IArtifact[] | null = null;
  private _filter = '';
  private _selected: string | null = null;
  private _versions: API.IVersion[] = [];
  private _versionsState: LoadState = 'idle';
  private _usage: API.IArtifactUsage | null = null;
  private _picked: string[] = [];
  private _diff: API.IDiff | null = null;
  private _diffState: LoadState = 'idle';
  private readonly _changed = new Signal<IArtifactsModel, void>(this);
}
