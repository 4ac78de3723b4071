import { Poll } from '@lumino/polling';

import { API } from '../api';
import { NbvcModel } from '../model/repo';
import { artifact, ICall, job, repoServer, settle } from './fake';

/** Tests drive every refresh themselves: no timer left behind. */
const SLOW = Poll.NEVER;

describe('JobsModel', () => {
  let model: NbvcModel | null = null;
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  it('starts a job, follows it and announces once that it ended', async () => {
    let state: API.JobState = 'running';
    const server = repoServer([artifact('a')]).on('jobs', (call: ICall) =>
      call.method === 'POST'
        ? job('j1', 'queued')
        : { jobs: [job('j1', state)] }
    );
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    const ended: API.IJob[] = [];
    model.jobs.finished.connect((_, j) => ended.push(j));
    const started = await model.jobs.start({
      kind: 'repro',
      args: { path: 'proj' }
    });
    expect(started.id).toBe('j1');
    expect(model.jobs.jobs.map(j => j.id)).toEqual(['j1']);
    const post = server.called('jobs').find(c => c.method === 'POST');
    expect(post?.body).toEqual({ kind: 'repro', args: { path: 'proj' } });
    await model.jobs.refresh();
    expect(ended).toEqual([]);
    state = 'succeeded';
    await model.jobs.refresh();
    expect(ended.map(j => [j.id, j.state])).toEqual([['j1', 'succeeded']]);
    await model.jobs.refresh();
    expect(ended).toHaveLength(1);
    expect(server.called('jobs').at(-1)?.query).toEqual({ tail: '200' });
  });

  it('does not announce jobs that had ended before it saw them', async () => {
    const server = repoServer([]).on('jobs', { jobs: [job('old', 'failed')] });
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    const ended: API.IJob[] = [];
    model.jobs.finished.connect((_, j) => ended.push(j));
    await model.jobs.refresh();
    expect(model.jobs.jobs).toHaveLength(1);
    expect(ended).toEqual([]);
  });

  it('cancels with DELETE on the job', async () => {
    const server = repoServer([])
      .on('jobs', { jobs: [job('j 2', 'running')] })
      .on('jobs/j%202', (call: ICall) => ({
        ...job('j 2', 'running'),
        cancel_requested: call.method === 'DELETE'
      }));
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    await model.jobs.refresh();
    await model.jobs.cancel('j 2');
    expect(server.called('jobs/j%202')[0].method).toBe('DELETE');
    expect(model.jobs.jobs[0].cancel_requested).toBe(true);
  });
});

describe('LineageModel', () => {
  it('fetches the lineage of an artifact version and says why it failed', async () => {
    const server = repoServer([artifact('model.bin')]).on('lineage', {
      root: {
        type: 'artifact',
        label: 'model.bin@v1',
        path: 'model.bin',
        oid: 'x',
        version: 'v1',
        producers: []
      }
    });
    const model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    await model.lineage.show('model.bin', 'v1');
    expect(server.called('lineage')[0].query).toEqual({
      path: 'proj',
      artifact: 'model.bin',
      ref: 'v1'
    });
    expect(model.lineage.state).toBe('ready');
    expect(model.lineage.root?.label).toBe('model.bin@v1');

    server.fail('lineage', 404, 'model.bin is not tracked');
    await expect(model.lineage.show('other.bin')).rejects.toThrow(
      'not tracked'
    );
    expect(model.lineage.state).toBe('error');
    expect(model.lineage.message).toBe('model.bin is not tracked');
    expect(server.called('lineage')[1].query.ref).toBeUndefined();

    model.lineage.repoChanged(false);
    expect(model.lineage.artifact).toBeNull();
    await settle();
    model.dispose();
  });

  it('shows a whole notebook: every cell with what it read and wrote', async () => {
    const access = (path: string, version: number | null) => ({
      path,
      oid: 'a'.repeat(64),
      size: 10,
      artifact: version === null ? null : path,
      version
    });
    const cells = {
      notebook: 'train.ipynb',
      notebook_path: 'proj/train.ipynb',
      session: 's1',
      cells: [
        {
          id: 'r1',
          label: 'cell load',
          cell_id: 'load',
          execution_count: 1,
          started: 1,
          ended: 2,
          success: true,
          reads: [access('data.csv', 1)],
          writes: []
        },
        {
          id: 'r2',
          label: 'cell train',
          cell_id: 'train',
          execution_count: 2,
          started: 3,
          ended: 4,
          success: true,
          reads: [],
          writes: [access('model.bin', 2)]
        }
      ]
    };
    const server = repoServer([artifact('model.bin')])
      .on('lineage/notebook', cells)
      .on('lineage', {
        root: {
          type: 'artifact',
          label: 'model.bin@v2',
          path: 'model.bin',
          oid: 'x',
          version: 'v2',
          producers: []
        }
      });
    const model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    await model.lineage.showNotebook('train.ipynb');
    expect(server.called('lineage/notebook')[0].query).toEqual({
      path: 'proj',
      notebook: 'train.ipynb'
    });
    expect(model.lineage.notebook).toBe('train.ipynb');
    expect(model.lineage.artifact).toBeNull();
    expect(model.lineage.cells?.cells.map(c => c.label)).toEqual([
      'cell load',
      'cell train'
    ]);
    // the repo changed: the same notebook is fetched again
    model.lineage.repoChanged(true);
    await settle();
    expect(server.called('lineage/notebook')).toHaveLength(2);
    // an artifact's lineage replaces the notebook's
    await model.lineage.show('model.bin');
    expect(model.lineage.notebook).toBeNull();
    expect(model.lineage.cells).toBeNull();
    expect(model.lineage.root?.label).toBe('model.bin@v2');
    model.dispose();
  });
});
