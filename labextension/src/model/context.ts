import { RequestFn } from '../http';

/** What the part-models share with the model that owns them. */
export interface IModelContext {
  /** The one request function (`requestAPI` in the app). */
  readonly request: RequestFn;
  /** The folder whose repo is shown, relative to the server root (the `path` parameter). */
  location(): string;
  /** Whether a repo is shown (part-models fetch nothing otherwise). */
  ready(): boolean;
}
