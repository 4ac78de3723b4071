import { API } from '../api';
import { Query, RequestError, RequestFn } from '../http';
import { Contract } from './contract';

const CONTRACT = new Contract();
const servers: FakeServer[] = [];

/** Every problem any fake server saw since the last call (see `setup.ts`), then forgets them. */
export function contractViolations(): string[] {
  const found = servers.flatMap(s => s.violations);
  servers.length = 0;
  return found;
}

/** One call the models made: endpoint, query, method and parsed body. */
export interface ICall {
  endPoint: string;
  query: Query;
  method: string;
  body: unknown;
}

type Handler = (call: ICall) => unknown;

/**
 * A fake nbvc server for the model tests: answers per endpoint (a value, a function of the
 * call, or a RequestError to throw) and records every call. Every request and every answer is
 * checked against `openapi.yaml`; a mismatch is thrown and also kept in `violations`, which
 * fail the test after it even where a model catches the error.
 */
export class FakeServer {
  readonly calls: ICall[] = [];
  readonly routes = new Map<string, Handler>();
  readonly violations: string[] = [];

  constructor() {
    servers.push(this);
  }

  on(endPoint: string, answer: unknown): this {
    this.routes.set(
      endPoint,
      typeof answer === 'function' ? (answer as Handler) : () => answer
    );
    return this;
  }

  fail(endPoint: string, status: number, message: string): this {
    this.routes.set(endPoint, () => {
      throw new RequestError(status, message);
    });
    return this;
  }

  called(endPoint: string): ICall[] {
    return this.calls.filter(c => c.endPoint === endPoint);
  }

  readonly request: RequestFn = async <T>(
    endPoint: string,
    query: Query = {},
    init: RequestInit = {}
  ): Promise<T> => {
    const call: ICall = {
      endPoint,
      query,
      method: init.method ?? 'GET',
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    };
    this.calls.push(call);
    this._enforce(
      CONTRACT.checkRequest(call.method, endPoint, query, call.body)
    );
    const handler = this.routes.get(endPoint);
    if (!handler) {
      throw new RequestError(404, `no fake route ${endPoint}`);
    }
    let answer: unknown;
    try {
      answer = handler(call);
    } catch (error) {
      if (error instanceof RequestError) {
        this._enforce(
          CONTRACT.checkAnswer(call.method, endPoint, error.status, null)
        );
      }
      throw error;
    }
    this._enforce(CONTRACT.checkAnswer(call.method, endPoint, null, answer));
    return answer as T;
  };

  private _enforce(problems: string[]): void {
    if (problems.length > 0) {
      this.violations.push(...problems);
      throw new Error(`contract violation: ${problems.join('; ')}`);
    }
  }
}

export function version(
  number: number,
  extra: Partial<API.IVersion> = {}
): API.IVersion {
  return {
    version: `v${number}`,
    number,
    oid: `${'a'.repeat(63)}${number}`,
    kind: 'file',
    size: 10 * number,
    files: 1,
    created: 1700000000 + number,
    author: 'Test',
    message: `version ${number}`,
    producer: null,
    tags: [],
    ...extra
  };
}

export function artifact(
  path: string,
  extra: Partial<API.IArtifact> = {}
): API.IArtifact {
  return {
    path,
    type: 'file',
    state: 'unchanged',
    in_cache: true,
    version: 1,
    versions: 1,
    latest: version(1),
    tags: [],
    ...extra
  };
}

export function run(
  id: string,
  metrics: Record<string, number> = {}
): API.IRunSummary {
  return {
    id,
    short_id: id.slice(id.lastIndexOf('-') + 1),
    name: null,
    tags: {},
    parent: null,
    deleted: false,
    source: 'python',
    status: 'completed',
    started: 1700000000,
    ended: 1700000005,
    duration: 5,
    git: null,
    params: {},
    metrics: { logged: metrics }
  };
}

export function job(
  id: string,
  state: API.JobState,
  kind: API.JobKind = 'repro'
): API.IJob {
  return {
    id,
    kind,
    args: {},
    state,
    created: 1700000000,
    started: null,
    finished: null,
    cancel_requested: false,
    progress: { done: 0, total: null, unit: '', message: '', steps: [] },
    log: [],
    log_lines: 0,
    result: null,
    error: state === 'failed' ? { message: 'boom' } : null
  };
}

/** A server with one repo at `proj/` holding `artifacts`. */
export function repoServer(
  artifacts: API.IArtifact[],
  token = 't1'
): FakeServer {
  return new FakeServer()
    .on('changes', (call: ICall) => ({
      token,
      changed: call.query.since !== token
    }))
    .on('repo', {
      root: 'proj',
      tracked: artifacts.length,
      git: false,
      nbvc_version: '0.1.0'
    })
    .on('artifacts', { root: 'proj', artifacts })
    .on('jobs', (call: ICall) =>
      call.method === 'POST' ? job('j1', 'queued') : { jobs: [] }
    );
}

/** Let pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}
