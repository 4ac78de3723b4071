import { contractViolations, FakeServer, run } from './fake';
import { Contract } from './contract';

const contract = new Contract();

describe('Contract (openapi.yaml)', () => {
  it('accepts what the contract describes', () => {
    const info = { root: '', tracked: 1, git: false, nbvc_version: '0.1.0' };
    expect(
      contract.checkRequest('GET', 'repo', { path: 'a' }, undefined)
    ).toEqual([]);
    expect(contract.checkAnswer('GET', 'repo', null, info)).toEqual([]);
    expect(
      contract.checkRequest(
        'POST',
        'jobs',
        {},
        {
          kind: 'push',
          args: { remote: null, all_versions: true }
        }
      )
    ).toEqual([]);
    expect(contract.checkAnswer('GET', 'jobs/j%201', 404, null)).toEqual([]);
  });

  it('refuses a renamed field in an answer or a request body', () => {
    const renamed = { root: '', tracked: 1, git: false, nbvcVersion: '0.1.0' };
    expect(contract.checkAnswer('GET', 'repo', null, renamed)).not.toEqual([]);
    const { short_id: _, ...summary } = run('17000-abcd1234');
    expect(
      contract.checkAnswer('GET', 'runs', null, {
        total: 1,
        offset: 0,
        limit: 100,
        runs: [{ ...summary, shortId: 'abcd1234' }],
        active: [],
        keys: []
      })
    ).not.toEqual([]);
    expect(
      contract.checkRequest(
        'POST',
        'jobs',
        {},
        {
          kind: 'push',
          args: { allVersions: true }
        }
      )
    ).not.toEqual([]);
  });

  it('refuses unknown routes, query parameters, bad values and undocumented statuses', () => {
    expect(contract.checkRequest('GET', 'nope', {}, undefined)).toEqual([
      'GET /nbvc/api/nope is not in openapi.yaml'
    ]);
    expect(
      contract.checkRequest('GET', 'runs', { sortBy: 'metric' }, undefined)
    ).toEqual(['GET runs: unknown query parameter sortBy']);
    expect(
      contract.checkRequest('GET', 'runs', { limit: '0' }, undefined)
    ).not.toEqual([]);
    expect(
      contract.checkRequest('GET', 'artifacts/versions', {}, undefined)
    ).toEqual(['GET artifacts/versions: the parameter artifact is missing']);
    expect(contract.checkAnswer('GET', 'repo', 418, null)).toEqual([
      'GET repo: answered 418, which the contract does not list'
    ]);
  });

  it('makes the fake server fail a test on a drifted answer even if the model catches it', async () => {
    const server = new FakeServer().on('repo', { root: '', tracked: 1 });
    await expect(server.request('repo')).rejects.toThrow('contract violation');
    expect(contractViolations()).toEqual([
      "GET repo: 200 answer must have required property 'git'"
    ]);
  });
});
