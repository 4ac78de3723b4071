import { Poll } from '@lumino/polling';

import { API } from '../api';
import { NbvcModel } from '../model/repo';
import { artifact, repoServer, run } from './fake';

function modelVersion(
  version: number,
  extra: Partial<API.IModelVersion> = {}
): API.IModelVersion {
  return {
    id: `0000000000000001-aaaa000${version}`,
    name: 'churn',
    version,
    oid: 'a'.repeat(64),
    size: 2048,
    flavour: 'sklearn',
    run: '17000-abcd1234',
    created: 1700000000,
    signature: null,
    requirements: { 'scikit-learn': '1.9.1' },
    aliases: [],
    path: null,
    ...extra
  };
}

describe('ModelsModel', () => {
  it('lists the registry and opens the artifacts of the run behind a version', async () => {
    const detail: API.IRun = {
      ...run('17000-abcd1234', { acc: 0.9 }),
      name: 'brisk-otter-3',
      env: {},
      pipeline: null,
      targets: [],
      series: {},
      stages: {},
      plots: [],
      note: null,
      artifacts: [
        {
          name: 'churn',
          kind: 'model',
          oid: 'a'.repeat(64),
          size: 2048,
          media_type: 'application/x-pickle'
        }
      ]
    };
    const server = repoServer([artifact('a.csv')])
      .on('models', {
        models: [modelVersion(1), modelVersion(2, { aliases: ['prod'] })]
      })
      .on('runs/17000-abcd1234', detail);
    const model = new NbvcModel({
      request: server.request,
      interval: Poll.NEVER,
      jobInterval: Poll.NEVER
    });
    model.path = 'proj';
    await model.refresh();
    await model.models.refresh();
    expect(model.models.state).toBe('ready');
    expect(model.models.versions.map(v => [v.version, v.aliases])).toEqual([
      [1, []],
      [2, ['prod']]
    ]);
    await model.models.showRun('17000-abcd1234');
    expect(model.models.run?.artifacts.map(a => a.name)).toEqual(['churn']);
    const url = new URL(
      model.models.artifactUrl(detail.artifacts[0]) ?? '',
      'http://localhost/'
    );
    expect(url.pathname).toMatch(
      /\/nbvc\/api\/runs\/17000-abcd1234\/artifact$/
    );
    expect([...url.searchParams]).toEqual([
      ['path', 'proj'],
      ['name', 'churn']
    ]);
    const folder: API.IRunArtifact = { ...detail.artifacts[0], kind: 'folder' };
    expect(model.models.artifactUrl(folder)).toBeNull();
    await model.models.showRun('17000-abcd1234'); // the same run again: closes it
    expect(model.models.run).toBeNull();
    expect(server.violations).toEqual([]);
    model.dispose();
  });
});
