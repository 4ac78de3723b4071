import { Poll } from '@lumino/polling';

import { API } from '../api';
import { NbvcModel } from '../model/repo';
import { ICall, job, repoServer } from './fake';

const SLOW = Poll.NEVER;

function sweep(
  id: string,
  status: string,
  counts: Record<string, number>
): API.ISweepSummary {
  return {
    id,
    short_id: id.slice(-8),
    name: `sweep-${id.slice(-4)}`,
    status,
    executor: 'inline',
    counts,
    points: Object.values(counts).reduce((a, b) => a + b, 0)
  };
}

function row(id: string, lr: number, loss: number | null): API.IExpRow {
  return {
    id,
    short_id: id.slice(-8),
    name: `exp-${id.slice(-1)}`,
    status: loss === null ? 'running' : 'completed',
    params: { 'train.lr': lr },
    metrics: loss === null ? {} : { loss },
    duration: loss === null ? null : 1.5,
    host: null
  };
}

function table(id: string, rows: API.IExpRow[]): API.ISweepTable {
  const done = rows.filter(r => r.status === 'completed');
  return {
    id,
    short_id: id.slice(-8),
    name: 'sweep',
    status: done.length === rows.length ? 'completed' : 'running',
    executor: 'inline',
    counts: { completed: done.length },
    params: ['train.lr'],
    metrics: ['loss'],
    best: done.length ? { loss: done[0].id } : {},
    rows
  };
}

describe('ExperimentsModel', () => {
  let model: NbvcModel | null = null;
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  it('fetches nothing until asked, then the sweeps and the newest one', async () => {
    let running = true;
    const server = repoServer([])
      .on('experiments', () => ({
        sweeps: [
          sweep(
            '00-aaaa1111',
            running ? 'running' : 'completed',
            running ? { completed: 1, running: 1 } : { completed: 2 }
          ),
          sweep('00-bbbb2222', 'failed', { failed: 1 })
        ]
      }))
      .on('experiments/00-aaaa1111', () =>
        table('00-aaaa1111', [
          row('r-1', 0.1, 0.5),
          row('r-2', 0.2, running ? null : 0.7)
        ])
      )
      .on('experiments/00-bbbb2222', table('00-bbbb2222', []));
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    expect(server.called('experiments')).toEqual([]);
    const experiments = model.experiments;
    await experiments.refresh();
    expect(experiments.state).toBe('ready');
    expect(experiments.sweeps.map(s => s.status)).toEqual([
      'running',
      'failed'
    ]);
    expect(experiments.selected).toBe('00-aaaa1111');
    expect(experiments.table?.rows.map(r => r.status)).toEqual([
      'completed',
      'running'
    ]);
    running = false;
    experiments.sort = 'loss';
    await experiments.refresh();
    expect(server.called('experiments/00-aaaa1111').at(-1)?.query).toEqual({
      path: 'proj',
      sort: 'loss'
    });
    expect(experiments.table?.best).toEqual({ loss: 'r-1' });
    experiments.toggle('r-2');
    experiments.toggle('r-1');
    expect(experiments.compared.map(r => r.id)).toEqual(['r-2', 'r-1']);
    experiments.toggle('r-2');
    expect(experiments.picked).toEqual(['r-1']);
    await experiments.select('00-bbbb2222');
    expect(experiments.picked).toEqual([]);
    expect(experiments.table?.rows).toEqual([]);
    expect(experiments.sort).toBeNull(); // the other sweep may lack the metric
    expect(server.called('experiments/00-bbbb2222').at(-1)?.query).toEqual({
      path: 'proj'
    });
  });

  it('cancels a sweep and applies a run as a job', async () => {
    const server = repoServer([])
      .on('experiments', {
        sweeps: [sweep('00-aaaa1111', 'running', { running: 1 })]
      })
      .on('experiments/00-aaaa1111', table('00-aaaa1111', []))
      .on('experiments/00-aaaa1111/cancel', { cancelled: ['00-aaaa1111'] })
      .on('jobs', (call: ICall) =>
        call.method === 'POST' ? job('j1', 'queued', 'exp_apply') : { jobs: [] }
      );
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    const answer = await model.experiments.cancel('00-aaaa1111');
    expect(answer.cancelled).toEqual(['00-aaaa1111']);
    const cancel = server.called('experiments/00-aaaa1111/cancel')[0];
    expect([cancel.method, cancel.body]).toEqual(['POST', { path: 'proj' }]);
    const started = await model.experiments.apply('r-1');
    expect(started.kind).toBe('exp_apply');
    const post = server.called('jobs').find(c => c.method === 'POST');
    expect(post?.body).toEqual({
      kind: 'exp_apply',
      args: { path: 'proj', run: 'r-1', force: false }
    });
  });

  it('shows why it has nothing when the server fails', async () => {
    const server = repoServer([]).fail('experiments', 404, 'no sweep');
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    await model.experiments.refresh();
    expect(model.experiments.state).toBe('error');
    expect(model.experiments.message).toBe('no sweep');
  });
});
