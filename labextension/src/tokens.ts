import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

/**
 * Types of the REST API's answers, mirroring the schemas in
 * `src/nbvc/server/openapi.yaml` (served at `/nbvc/api/openapi.json`).
 */
export namespace API {
  export type ArtifactState =
    'unchanged' | 'modified' | 'deleted' | 'not in cache';

  export interface IRepoInfo {
    /** The repo root relative to the server root ('' for the root itself). */
    root: string;
    tracked: number;
    git: boolean;
    nbvc_version: string;
  }

  export interface IVersion {
    version: string;
    number: number;
    oid: string;
    kind: 'file' | 'dir';
    size: number;
    files: number;
    created: number;
    author: string;
    message: string;
    producer: string | null;
    tags: string[];
  }

  export interface IArtifact {
    /** Relative to the repo root. */
    path: string;
    type: 'file' | 'dir';
    state: ArtifactState;
    in_cache: boolean;
    /** The version the pointer file names. */
    version: number | null;
    /** How many versions are recorded. */
    versions: number;
    latest: IVersion | null;
    tags: string[];
  }

  export interface IArtifactList {
    root: string;
    artifacts: IArtifact[];
  }

  export interface IChanges {
    token: string;
    changed: boolean;
  }

  export interface IError {
    message: string;
  }
}

/**
 * What the side panel shows for the folder open in the file browser.
 * `ready`: a repo was found; `none`: the folder is not in an nbvc repo;
 * `error`: the server could not be asked; `loading`: nothing known yet.
 */
export type RepoState = 'loading' | 'ready' | 'none' | 'error';

/**
 * The nbvc model: owns the state of the repo shown in the panel, and keeps it fresh by
 * polling the server's change token. Widgets read it and listen to `changed`.
 */
export interface INbvcModel extends IDisposable {
  /** The folder (relative to the server root) whose repo is shown. */
  path: string;
  readonly state: RepoState;
  readonly repo: API.IRepoInfo | null;
  readonly artifacts: readonly API.IArtifact[];
  /** Why the state is `none` or `error`. */
  readonly message: string;
  /** Emitted whenever any of the above changes. */
  readonly changed: ISignal<INbvcModel, void>;
  /** Fetch everything now, whatever the change token says. */
  refresh(): Promise<void>;
}

export const INbvcModel = new Token<INbvcModel>(
  'nbvc:INbvcModel',
  'The nbvc model: the repo and tracked artifacts of the folder open in the file browser.'
);
