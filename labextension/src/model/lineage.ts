import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { messageOf } from '../http';
import { ILineageModel, LoadState } from '../tokens';
import { IModelContext } from './context';

/** The lineage tree of one artifact version, fetched again when the repo changes. */
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

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get root(): API.LineageNode | null {
    return this._root;
  }

  async show(artifact: string, ref: string | null = null): Promise<void> {
    if (artifact !== this._artifact || ref !== this._ref) {
      this._artifact = artifact;
      this._ref = ref;
      this._root = null;
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const artifact = this._artifact;
    const ref = this._ref;
    if (artifact === null) {
      return;
    }
    if (this._root === null) {
      this._state = 'loading';
      this._changed.emit();
    }
    try {
      const lineage = await this._context.request<API.ILineage>('lineage', {
        path: this._context.location(),
        artifact,
        ref: ref ?? undefined
      });
      if (artifact === this._artifact && ref === this._ref) {
        this._root = lineage.root;
        this._state = 'ready';
        this._message = '';
        this._changed.emit();
      }
    } catch (error) {
      if (artifact === this._artifact && ref === this._ref) {
        this._root = null;
        this._state = 'error';
        this._message = messageOf(error);
        this._changed.emit();
      }
      throw error;
    }
  }

  /** Another repo is shown (forget the artifact), or this one changed (fetch again). */
  repoChanged(sameRepo: boolean): void {
    if (!sameRepo) {
      this._artifact = null;
      this._ref = null;
      this._root = null;
      this._state = 'idle';
      this._message = '';
      this._changed.emit();
    } else if (this._artifact !== null) {
      void this.refresh().catch(() => undefined);
    }
  }

  private _artifact: string | null = null;
  private _ref: string | null = null;
  private _state: LoadState = 'idle';
  private _message = '';
  private _root: API.LineageNode | null = null;
  private readonly _changed = new Signal<ILineageModel, void>(this);
}
