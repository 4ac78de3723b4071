import { Poll } from '@lumino/polling';

import { NbvcModel } from '../model/repo';
import { artifact, FakeServer, repoServer, settle, version } from './fake';

/** Tests drive every refresh themselves: no timer left behind. */
const SLOW = Poll.NEVER;

function modelOf(server: FakeServer, path = 'proj'): NbvcModel {
  const model = new NbvcModel({
    request: server.request,
    interval: SLOW,
    jobInterval: SLOW
  });
  model.path = path;
  return model;
}

describe('NbvcModel', () => {
  let model: NbvcModel | null = null;
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  it('loads the repo and its artifacts, then only polls the change token', async () => {
    const server = repoServer([artifact('a.csv'), artifact('model.bin')]);
    model = modelOf(server);
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    expect(model.state).toBe('ready');
    expect(model.repo?.root).toBe('proj');
    expect(model.artifacts.all.map(a => a.path)).toEqual([
      'a.csv',
      'model.bin'
    ]);
    expect(changes).toBeGreaterThan(0);
    expect(server.called('changes').at(-1)?.query).toEqual({
      path: 'proj',
      since: ''
    });

    const fetched = server.called('artifacts').length;
    await (model as unknown as { _check(): Promise<void> })._check();
    expect(server.called('changes').at(-1)?.query.since).toBe('t1');
    expect(server.called('artifacts').length).toBe(fetched);
  });

  it('lists the models and datasets the pipeline file declares', async () => {
    const declared = {
      name: 'model',
      path: 'model.pkl',
      type: 'model',
      desc: 'the classifier',
      labels: ['prod'],
      meta: null,
      exists: true,
      version: 'v2',
      versions: 2
    };
    const server = repoServer([artifact('model.pkl')]).on('artifacts', {
      root: 'proj',
      artifacts: [artifact('model.pkl')],
      declared: [declared]
    });
    model = modelOf(server);
    await model.refresh();
    expect(model.artifacts.declared).toEqual([declared]);
  });

  it('says why there is no repo (404) and clears what it showed', async () => {
    const server = repoServer([artifact('a.csv')]);
    model = modelOf(server);
    await model.refresh();
    server.fail(
      'changes',
      404,
      'proj is not inside an nbvc repo; run `nbvc init`'
    );
    await model.refresh();
    expect(model.state).toBe('none');
    expect(model.message).toContain('nbvc init');
    expect(model.repo).toBeNull();
    expect(model.artifacts.all).toEqual([]);
  });

  it('reports an unreachable server as an error', async () => {
    const server = repoServer([]);
    server.fail('changes', 500, 'server down');
    model = modelOf(server);
    await model.refresh().catch(() => undefined);
    expect(model.state).toBe('error');
    expect(model.message).toBe('server down');
  });

  it('maps artifacts to server paths and back', async () => {
    model = modelOf(repoServer([artifact('a.csv')]));
    expect(model.artifactOf('proj/a.csv')).toBeNull(); // no repo known yet
    await model.refresh();
    expect(model.serverPath('data/a.csv')).toBe('proj/data/a.csv');
    expect(model.artifactOf('proj/data/a.csv')).toBe('data/a.csv');
    expect(model.artifactOf('other/a.csv')).toBeNull();
    expect(model.artifactOf('projx/a.csv')).toBeNull();
  });

  it('versions files through an add job with repo-relative paths', async () => {
    const server = repoServer([]);
    model = modelOf(server);
    await model.version(['proj/data/a.csv', 'proj/b.bin'], 'why');
    const [{ body, query }] = server.called('repo').slice(-1);
    expect(query).toEqual({ path: 'proj/data' });
    const post = server.called('jobs').find(c => c.method === 'POST');
    expect(post?.body).toEqual({
      kind: 'add',
      args: {
        path: 'proj/data',
        paths: ['data/a.csv', 'b.bin'],
        message: 'why'
      }
    });
    expect(body).toBeUndefined();
    await expect(model.version(['elsewhere/x.csv'])).rejects.toThrow(
      'not in the repo at /proj'
    );
    await expect(model.version([])).rejects.toThrow('Select the files');
  });
});

describe('ArtifactsModel', () => {
  let model: NbvcModel | null = null;
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  async function ready(server: FakeServer): Promise<NbvcModel> {
    model = modelOf(server);
    await model.refresh();
    return model;
  }

  it('filters by path, case-insensitively', async () => {
    const { artifacts } = await ready(
      repoServer([
        artifact('data/Train.csv'),
        artifact('model.bin'),
        artifact('data/test.csv')
      ])
    );
    artifacts.filter = 'DATA/';
    expect(artifacts.visible.map(a => a.path)).toEqual([
      'data/Train.csv',
      'data/test.csv'
    ]);
    artifacts.filter = '';
    expect(artifacts.visible).toHaveLength(3);
  });

  it('loads the versions of the selected artifact and keeps them across changes', async () => {
    const server = repoServer([artifact('model.bin', { version: 2 })]).on(
      'artifacts/versions',
      {
        path: 'model.bin',
        versions: [version(2), version(1, { tags: ['base'] })]
      }
    );
    const { artifacts } = await ready(server);
    artifacts.select('model.bin');
    expect(artifacts.versionsState).toBe('loading');
    await settle();
    expect(artifacts.versionsState).toBe('ready');
    expect(artifacts.versions.map(v => v.version)).toEqual(['v2', 'v1']);
    expect(server.called('artifacts/versions')[0].query).toEqual({
      path: 'proj',
      artifact: 'model.bin'
    });
    artifacts.update([artifact('model.bin', { version: 2 })], true);
    await settle();
    expect(artifacts.selected).toBe('model.bin');
    expect(server.called('artifacts/versions')).toHaveLength(2);
    artifacts.update([], false);
    expect(artifacts.selected).toBeNull();
    expect(artifacts.versions).toEqual([]);
  });

  it('shows what the selected artifact costs in the cache, when the server says', async () => {
    const usage = {
      path: 'model.bin',
      versions: 7,
      logical_size: 7000,
      stored_size: 1100,
      dedup_ratio: 6.36,
      missing_objects: 0
    };
    const server = repoServer([artifact('model.bin', { version: 2 })])
      .on('artifacts/versions', { path: 'model.bin', versions: [version(1)] })
      .on('artifacts/usage', {
        artifacts: [usage],
        logical_size: 7000,
        stored_size: 1200,
        dedup_ratio: 5.8,
        packs: 1,
        chunks: 3
      });
    const { artifacts } = await ready(server);
    artifacts.select('model.bin');
    await settle();
    expect(artifacts.usage).toEqual(usage);
    expect(server.called('artifacts/usage')[0].query).toEqual({
      path: 'proj',
      artifact: 'model.bin'
    });
    artifacts.select(null);
    expect(artifacts.usage).toBeNull();
  });

  it('picks at most two versions and diffs them older first', async () => {
    const server = repoServer([artifact('model.bin')])
      .on('artifacts/versions', {
        path: 'model.bin',
        versions: [version(3), version(2), version(1)]
      })
      .on('artifacts/diff', {
        path: 'model.bin',
        old: 'v1',
        new: 'v3',
        added: [],
        removed: [],
        modified: [{ path: '', old_size: 10, new_size: 30 }]
      });
    const { artifacts } = await ready(server);
    artifacts.select('model.bin');
    await settle();
    artifacts.pick('v3');
    artifacts.pick('v2');
    artifacts.pick('v1');
    expect(artifacts.picked).toEqual(['v2', 'v1']);
    artifacts.pick('v2');
    expect(artifacts.picked).toEqual(['v1']);
    artifacts.pick('v3');
    const diff = await artifacts.showDiff();
    expect(server.called('artifacts/diff')[0].query).toMatchObject({
      a: 'v1',
      b: 'v3'
    });
    expect(artifacts.diffState).toBe('ready');
    expect(artifacts.diff).toBe(diff);
    artifacts.clearDiff();
    expect(artifacts.diff).toBeNull();
  });

  it('refuses to diff without two picked versions', async () => {
    const { artifacts } = await ready(repoServer([artifact('a')]));
    await expect(artifacts.showDiff()).rejects.toThrow('Pick two versions');
  });

  it('checks out a version with a POST naming the repo location', async () => {
    const server = repoServer([artifact('model.bin')]).on(
      'artifacts/checkout',
      {
        path: 'model.bin',
        version: 'v1',
        oid: 'b'.repeat(64),
        written: 1,
        deleted: 0,
        changed: true
      }
    );
    const { artifacts } = await ready(server);
    const result = await artifacts.checkout('model.bin', 'v1');
    expect(result.changed).toBe(true);
    const [call] = server.called('artifacts/checkout');
    expect(call.method).toBe('POST');
    expect(call.body).toEqual({
      path: 'proj',
      artifact: 'model.bin',
      ref: 'v1',
      force: false
    });
  });

  it('passes a conflict (unsaved changes) to the caller', async () => {
    const server = repoServer([artifact('model.bin')]).fail(
      'artifacts/checkout',
      409,
      'model.bin has changes not saved in nbvc'
    );
    const { artifacts } = await ready(server);
    await expect(artifacts.checkout('model.bin', 'v1')).rejects.toMatchObject({
      status: 409
    });
  });
});
