import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { messageOf } from '../http';
import { ILineageModel, LoadState } from '../tokens';
import { IModelContext } from './context';

/**
 * Lineage shown in the panel, fetched again when the repo changes: the tree of one artifact
 * version (what produced it, from what), or a whole notebook (every cell of its latest
 * kernel session with the files it read and wrote).
 */
export class LineageModel implements ILineageModel {
  constructor(private readonly _context: IModelContext) {}

  get changed(): ISignal<ILineageModel, void> {
    return this._changed;
  }

  get artifact(): string | null {
    return this._artifact;
  }

  get ref(): string | null {
    return this._ref;
  }

  get notebook(): string | null {
    return this._notebook;
  }

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get root(): API.LineageNode | null {
    return this._root;
  }

  get cells(): API.INotebookLineage | null {
    return this._cells;
  }

  async show(artifact: string, ref: string | null = null): Promise<void> {
    if (
      artifact !== this._artifact ||
      ref !== this._ref ||
      this._notebook !== null
    ) {
      this._artifact = artifact;
      this._ref = ref;
      this._notebook = null;
      this._root = null;
      this._cells = null;
    }
    await this.refresh();
  }

  async showNotebook(notebook: string): Promise<void> {
    if (notebook !== this._notebook) {
      this._notebook = notebook;
      this._artifact = null;
      this._ref = null;
      this._root = null;
      this._cells = null;
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const artifact = this._artifact;
    const ref = this._ref;
    const notebook = this._notebook;
    if (artifact === null && notebook === null) {
      return;
    }
    const current = (): boolean =>
      artifact === this._artifact &&
      ref === this._ref &&
      notebook === this._notebook;
    if (this._root === null && this._cells === null) {
      this._state = 'loading';
      this._changed.emit();
    }
    try {
      const path = this._context.location();
      if (notebook !== null) {
        const cells = await this._context.request<API.INotebookLineage>(
          'lineage/notebook',
          { path, notebook }
        );
        if (current()) {
          this._cells = cells;
        }
      } else {
        const lineage = await this._context.request<API.ILineage>('lineage', {
          path,
          artifact: artifact ?? '',
          ref: ref ?? undefined
        });
        if (current()) {
          this._root = lineage.root;
        }
      }
      if (current()) {
        this._state = 'ready';
        this._message = '';
        this._changed.emit();
      }
    } catch (error) {
      if (current()) {
        this._root = null;
        this._cells = null;
        this._state = 'error';
        this._message = messageOf(error);
        this._changed.emit();
      }
      throw error;
    }
  }

  /** Another repo is shown (forget what was shown), or this one changed (fetch again). */
  repoChanged(sameRepo: boolean): void {
    if (!sameRepo) {
      this._artifact = null;
      this._ref = null;
      this._notebook = null;
      this._root = null;
      this._cells = null;
      this._state = 'idle';
      this._message = '';
      this._changed.emit();
    } else if (this._artifact !== null || this._notebook !== null) {
      void this.refresh().catch(() => undefined);
    }
  }

  private _artifact: string | null = null;
  private _ref: string | null = null;
  private _notebook: string | null = null;
  private _state: LoadState = 'idle';
  private _message = '';
  private _root: API.LineageNode | null = null;
  private _cells: API.INotebookLineage | null = null;
  private readonly _changed = new Signal<ILineageModel, void>(this);
}
