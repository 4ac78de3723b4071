import { ISignal, Signal } from '@lumino/signaling';

import { API } from '../api';
import { messageOf } from '../http';
import { apiUrl } from '../request';
import { IModelsModel, LoadState } from '../tokens';
import { IModelContext } from './context';

/**
 * The model registry of the repo shown (`GET models`), fetched again when the repo changes,
 * and the run whose artifacts are open (`GET runs/{id}`).
 */
export class ModelsModel implements IModelsModel {
  constructor(private readonly _context: IModelContext) {}

  get changed(): ISignal<IModelsModel, void> {
    return this._changed;
  }

  get state(): LoadState {
    return this._state;
  }

  get message(): string {
    return this._message;
  }

  get versions(): readonly API.IModelVersion[] {
    return this._versions;
  }

  get run(): API.IRun | null {
    return this._run;
  }

  async refresh(): Promise<void> {
    if (!this._context.ready()) {
      return;
    }
    const generation = ++this._generation;
    if (this._versions.length === 0) {
      this._state = 'loading';
      this._changed.emit();
    }
    try {
      const answer = await this._context.request<API.IModelList>('models', {
        path: this._context.location()
      });
      if (generation !== this._generation) {
        return;
      }
      this._versions = answer.models;
      this._state = 'ready';
      this._message = '';
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      this._state = 'error';
      this._message = messageOf(error);
    }
    this._changed.emit();
  }

  async showRun(id: string | null): Promise<void> {
    if (id === null || id === this._run?.id) {
      this._run = null;
      this._changed.emit();
      return;
    }
    try {
      this._run = await this._context.request<API.IRun>(
        `runs/${encodeURIComponent(id)}`,
        { path: this._context.location() }
      );
    } catch (error) {
      this._run = null;
      this._state = 'error';
      this._message = messageOf(error);
    }
    this._changed.emit();
  }

  artifactUrl(artifact: API.IRunArtifact): string | null {
    if (this._run === null || artifact.kind === 'folder') {
      return null;
    }
    const query: Record<string, string> = {
      path: this._context.location(),
      name: artifact.name
    };
    if (artifact.step !== undefined && artifact.step !== null) {
      query.step = String(artifact.step);
    }
    return apiUrl(`runs/${encodeURIComponent(this._run.id)}/artifact`, query);
  }

  /** Another repo is shown (forget everything), or this one changed (fetch again). */
  repoChanged(sameRepo: boolean): void {
    if (!sameRepo) {
      this._versions = [];
      this._run = null;
      this._state = 'idle';
      this._message = '';
      this._changed.emit();
    }
    void this.refresh().catch(() => undefined);
  }

  private _generation = 0;
  private _state: LoadState = 'idle';
  private _message = '';
  private _versions: API.IModelVersion[] = [];
  private _run: API.IRun | null = null;
  private readonly _changed = new Signal<IModelsModel, void>(this);
}
