import { Poll } from '@lumino/polling';

import { API } from '../api';
import { mergeRows } from '../model/comparison';
import { NbvcModel } from '../model/repo';
import { PAGE_SIZE } from '../model/runs';
import { ICall, repoServer, run, settle } from './fake';

/** Tests drive every refresh themselves: no timer left behind. */
const SLOW = Poll.NEVER;

/** A server with `total` runs, answering pages as the real one does (newest first). */
function runsServer(total: number) {
  const runs = Array.from({ length: total }, (_, i) =>
    run(`${String(1000 + i)}-r${i}`, { acc: i / total })
  ).reverse();
  return repoServer([]).on('runs', (call: ICall) => {
    const offset = Number(call.query.offset);
    const limit = Number(call.query.limit);
    const ordered =
      call.query.sort === 'metric' && call.query.order === 'asc'
        ? [...runs].reverse()
        : runs;
    const page: API.IRunList = {
      total,
      offset,
      limit,
      runs: ordered.slice(offset, offset + limit),
      active: [],
      keys: [{ kind: 'metric', source: 'logged', name: 'acc', runs: total }]
    };
    return page;
  });
}

describe('RunsModel', () => {
  let model: NbvcModel | null = null;
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  async function ready(
    server: ReturnType<typeof runsServer>
  ): Promise<NbvcModel> {
    model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    return model;
  }

  it('fetches nothing until rows are asked for, then only the pages in view', async () => {
    const server = runsServer(2000);
    const { runs } = await ready(server);
    expect(server.called('runs')).toHaveLength(0);
    runs.ensure(0, 40);
    expect(runs.state).toBe('loading');
    await settle();
    expect(runs.state).toBe('ready');
    expect(runs.total).toBe(2000);
    expect(server.called('runs')).toHaveLength(1);
    expect(server.called('runs')[0].query).toMatchObject({
      path: 'proj',
      sort: 'started',
      order: 'desc',
      offset: '0',
      limit: String(PAGE_SIZE)
    });
    expect(runs.runAt(0)?.id).toBe('2999-r1999');
    expect(runs.runAt(PAGE_SIZE)).toBeNull();
    runs.ensure(PAGE_SIZE - 10, PAGE_SIZE + 10);
    runs.ensure(PAGE_SIZE - 10, PAGE_SIZE + 10); // already loading: not asked twice
    await settle();
    expect(server.called('runs').map(c => c.query.offset)).toEqual([
      '0',
      String(PAGE_SIZE)
    ]);
    expect(runs.runAt(PAGE_SIZE)?.id).toBe(
      `${2999 - PAGE_SIZE}-r${1999 - PAGE_SIZE}`
    );
  });

  it('does not ask for pages past the end', async () => {
    const server = runsServer(30);
    const { runs } = await ready(server);
    runs.ensure(0, 10);
    await settle();
    runs.ensure(0, 500);
    await settle();
    expect(server.called('runs')).toHaveLength(1);
  });

  it('sorts on the server and starts again from the first page', async () => {
    const server = runsServer(250);
    const { runs } = await ready(server);
    runs.ensure(0, 250);
    await settle();
    runs.ensure(0, 250); // the table asks again once it knows how many runs there are
    await settle();
    expect(server.called('runs')).toHaveLength(3);
    runs.sort = { by: 'metric', order: 'asc', name: 'acc', source: 'logged' };
    await settle();
    const last = server.called('runs').at(-1);
    expect(last?.query).toMatchObject({
      sort: 'metric',
      order: 'asc',
      name: 'acc',
      source: 'logged',
      offset: '0'
    });
    expect(runs.runAt(0)?.id).toBe('1000-r0');
    expect(runs.runAt(PAGE_SIZE)).toBeNull(); // the other pages are asked for when in view
  });

  it('filters on the server, and a filter the server refuses is said and can be fixed', async () => {
    const server = runsServer(20);
    const { runs } = await ready(server);
    runs.ensure(0, 20);
    await settle();
    runs.filter = "  metrics.acc > 0.5 and params.model = 'rf' ";
    await settle();
    expect(server.called('runs').at(-1)?.query).toMatchObject({
      filter: "metrics.acc > 0.5 and params.model = 'rf'",
      offset: '0'
    });
    server.fail('runs', 400, "filter 'metrics.acc >' ends too early");
    runs.filter = 'metrics.acc >';
    await settle();
    expect(runs.state).toBe('error');
    expect(runs.message).toContain('ends too early');
    const asked = server.called('runs').length;
    runs.filter = 'metrics.acc >'; // the same text again: nothing new to ask
    expect(server.called('runs')).toHaveLength(asked);
    runs.filter = '';
    await settle();
    expect(server.called('runs')).toHaveLength(asked + 1);
    expect(server.called('runs').at(-1)?.query.filter).toBeUndefined();
  });

  it('fetches again the pages shown when the repo changes, keeping rows meanwhile', async () => {
    const server = runsServer(150);
    const { runs } = await ready(server);
    runs.ensure(0, 150);
    await settle();
    runs.ensure(0, 150);
    await settle();
    const before = server.called('runs').length;
    runs.repoChanged(true);
    expect(runs.runAt(0)).not.toBeNull();
    await settle();
    expect(server.called('runs').length).toBe(before + 2);
    runs.repoChanged(false);
    expect(runs.runAt(0)).toBeNull();
    expect(runs.total).toBe(0);
  });

  it('stops asking after an error until the repo changes', async () => {
    const server = runsServer(10).fail('runs', 400, 'bad sort');
    const { runs } = await ready(server);
    runs.ensure(0, 10);
    await settle();
    expect(runs.state).toBe('error');
    expect(runs.message).toBe('bad sort');
    runs.ensure(0, 10);
    await settle();
    expect(server.called('runs')).toHaveLength(1);
    runs.repoChanged(true);
    await settle();
    expect(server.called('runs')).toHaveLength(2);
  });

  it('selects runs in order and compares two to ten of them', async () => {
    const server = runsServer(20);
    const { runs } = await ready(server);
    runs.toggle('a');
    runs.toggle('b');
    runs.toggle('c');
    runs.toggle('b');
    expect(runs.selected).toEqual(['a', 'c']);
    expect(() => runs.compare(['a'])).toThrow('two or more');
    expect(() =>
      runs.compare(Array.from({ length: 11 }, (_, i) => `r${i}`))
    ).toThrow('at most 10');
    runs.clearSelection();
    expect(runs.selected).toEqual([]);
  });
});

describe('RunComparison', () => {
  const diff = (changes: Partial<API.IValueChange>[]): API.IValuesDiff => ({
    a: 'base',
    b: 'other',
    changes: changes.map(c => ({
      path: 'logged',
      name: 'acc',
      old: null,
      new: null,
      change: null,
      percent: null,
      ...c
    }))
  });

  it('merges the diffs against the baseline into one row per value', () => {
    const rows = mergeRows(3, [
      [
        [
          'metric',
          diff([
            { name: 'acc', old: 0.5, new: 0.75, change: 0.25, percent: 50 }
          ])
        ],
        [
          'param',
          diff([{ name: 'lr', old: 0.1, new: 0.2, change: 0.1, percent: 100 }])
        ]
      ],
      [
        [
          'metric',
          diff([
            { name: 'acc', old: 0.5, new: 0.4, change: -0.1, percent: -20 }
          ])
        ],
        [
          'param',
          diff([{ name: 'lr', old: 0.1, new: 0.1, change: 0, percent: 0 }])
        ]
      ]
    ]);
    expect(rows.map(r => [r.kind, r.name])).toEqual([
      ['metric', 'acc'],
      ['param', 'lr']
    ]);
    expect(rows[0].values).toEqual([0.5, 0.75, 0.4]);
    expect(rows[0].changes).toEqual([null, 0.25, -0.1]);
    expect(rows[0].percents).toEqual([null, 50, -20]);
    expect(rows[1].values).toEqual([0.1, 0.2, 0.1]);
  });

  it('loads the diffs and the plots of the compared runs', async () => {
    const server = runsServer(5)
      .on('metrics/diff', (call: ICall) =>
        diff([
          {
            name: 'acc',
            old: 0.5,
            new: call.query.b === 'r2' ? 0.6 : 0.7,
            change: call.query.b === 'r2' ? 0.1 : 0.2,
            percent: 20
          }
        ])
      )
      .on('params/diff', diff([]))
      .on('plots', {
        plots: [{ id: 'metric:acc', title: 'acc', spec: { mark: 'line' } }]
      });
    const model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    const comparison = model.runs.compare(['r1', 'r2', 'r3']);
    await settle();
    expect(comparison.state).toBe('ready');
    expect(comparison.labels).toEqual(['r1', 'r2', 'r3']);
    expect(comparison.rows[0].values).toEqual([0.5, 0.6, 0.7]);
    expect(comparison.plots.map(p => p.id)).toEqual(['metric:acc']);
    expect(server.called('plots')[0].query).toEqual({
      path: 'proj',
      run: ['r1', 'r2', 'r3']
    });
    expect(
      server
        .called('metrics/diff')
        .map(c => [c.query.a, c.query.b, c.query.all])
    ).toEqual([
      ['r1', 'r2', 'true'],
      ['r1', 'r3', 'true']
    ]);
    comparison.dispose();
    model.dispose();
  });

  it('reports a failed comparison', async () => {
    const server = runsServer(5)
      .fail('metrics/diff', 404, 'no run nope')
      .on('params/diff', diff([]))
      .on('plots', { plots: [] });
    const model = new NbvcModel({
      request: server.request,
      interval: SLOW,
      jobInterval: SLOW
    });
    model.path = 'proj';
    await model.refresh();
    const comparison = model.runs.compare(['r1', 'nope']);
    await settle();
    expect(comparison.state).toBe('error');
    expect(comparison.message).toBe('no run nope');
    model.dispose();
  });
});
