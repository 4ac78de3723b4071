import { API } from '../api';
import {
  COLUMN_WIDTHS,
  IColumnStorage,
  defaultColumns,
  loadColumns,
  metricsThatFit,
  saveColumns,
  shownKeys,
  startedFits,
  storageKey,
  toggleColumn
} from '../model/columns';
import { valueColumns } from '../widgets/runs';

const KEYS: API.IRunKey[] = [
  { kind: 'param', source: 'logged', name: 'lr', runs: 9 },
  { kind: 'param', source: 'params.yaml', name: 'epochs', runs: 3 },
  { kind: 'metric', source: 'logged', name: 'acc', runs: 5 },
  { kind: 'metric', source: 'logged', name: 'loss', runs: 7 },
  { kind: 'metric', source: 'logged', name: 'f1', runs: 2 },
  { kind: 'metric', source: 'logged', name: 'rare', runs: 1 }
];

class MemoryStorage implements IColumnStorage {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('run table columns', () => {
  it('shows the three metrics most runs have until the user chooses', () => {
    expect(defaultColumns(KEYS)).toEqual([
      'metric:logged:loss',
      'metric:logged:acc',
      'metric:logged:f1'
    ]);
    expect(shownKeys(KEYS, null).map(k => k.name)).toEqual([
      'loss',
      'acc',
      'f1'
    ]);
  });

  it('shows as many default metrics as fit, and the start time where it fits', () => {
    const { select, run, started, value } = COLUMN_WIDTHS;
    const narrow = 233; // the rows of the panel at its default width
    expect(metricsThatFit(narrow)).toBe(2);
    expect(startedFits(narrow, 2)).toBe(false);
    expect(
      shownKeys(KEYS, null, metricsThatFit(narrow)).map(k => k.name)
    ).toEqual(['loss', 'acc']);
    expect(metricsThatFit(select + run + 10)).toBe(1); // always a metric
    const wide = select + run + started + 3 * value;
    expect(metricsThatFit(wide)).toBe(3);
    expect(startedFits(wide, 3)).toBe(true);
    expect(metricsThatFit(null)).toBe(3); // not measured yet
    expect(startedFits(null, 3)).toBe(true);
    // a chosen column joins the default the user saw
    expect(toggleColumn(KEYS, null, 'param:logged:lr', 2)).toEqual([
      'metric:logged:loss',
      'metric:logged:acc',
      'param:logged:lr'
    ]);
  });

  it('adds and removes params and metrics, newest last, from the default', () => {
    let chosen = toggleColumn(KEYS, null, 'param:logged:lr');
    expect(chosen).toEqual([
      'metric:logged:loss',
      'metric:logged:acc',
      'metric:logged:f1',
      'param:logged:lr'
    ]);
    chosen = toggleColumn(KEYS, chosen, 'metric:logged:acc');
    chosen = toggleColumn(KEYS, chosen, 'metric:logged:f1');
    expect(shownKeys(KEYS, chosen).map(k => k.name)).toEqual(['loss', 'lr']);
  });

  it('leaves out chosen columns the runs no longer have', () => {
    expect(
      shownKeys(KEYS, ['metric:logged:gone', 'param:params.yaml:epochs'])
    ).toEqual([KEYS[1]]);
  });

  it('builds param columns that read params and sort by param', () => {
    const [lr] = valueColumns(KEYS, ['param:logged:lr']);
    expect(lr.sort).toBe('param');
    expect(lr.title).toBe('lr');
    const summary = {
      params: { logged: { lr: 0.01 } },
      metrics: { logged: { lr: 99 } }
    } as unknown as API.IRunSummary;
    expect(lr.cell(summary)).toBe('0.01');
  });

  it('remembers the choice per repo, and forgets it on reset', () => {
    const storage = new MemoryStorage();
    expect(loadColumns(storage, '/a')).toBeNull();
    saveColumns(storage, '/a', ['param:logged:lr']);
    expect(loadColumns(storage, '/a')).toEqual(['param:logged:lr']);
    expect(loadColumns(storage, '/b')).toBeNull();
    saveColumns(storage, '/a', null);
    expect(loadColumns(storage, '/a')).toBeNull();
  });

  it('ignores a stored value that is not a list of ids, and refused storage', () => {
    const storage = new MemoryStorage();
    storage.setItem(storageKey('/a'), '{"not": "a list"}');
    expect(loadColumns(storage, '/a')).toBeNull();
    storage.setItem(storageKey('/a'), 'not json');
    expect(loadColumns(storage, '/a')).toBeNull();
    const refusing: IColumnStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => undefined
    };
    expect(loadColumns(refusing, '/a')).toBeNull();
    expect(() => saveColumns(refusing, '/a', [])).not.toThrow();
  });
});
