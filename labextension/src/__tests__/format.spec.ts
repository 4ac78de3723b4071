import { shortTitles } from '../widgets/experiments';
import { queryString } from '../http';
import {
  formatChange,
  formatSize,
  formatTime,
  formatValue,
  valueOf
} from '../widgets/format';
import { valueColumns } from '../widgets/runs';
import { run } from './fake';

describe('what the panel shows', () => {
  it('formats changes against the baseline', () => {
    expect(formatChange(0.25, 50)).toBe('+0.25 (+50%)');
    expect(formatChange(-0.0833, -33.3333)).toBe('−0.0833 (−33.3%)');
    expect(formatChange(2, null)).toBe('+2');
    expect(formatChange(0, 0)).toBe('');
    expect(formatChange(null, null)).toBe('');
  });

  it('formats values, sizes and times', () => {
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(20)).toBe('20');
    expect(formatValue(null)).toBe('–');
    expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatSize(25)).toBe('25 B');
    expect(formatSize(2048)).toBe('2.0 KB');
    // with the year even in the current one, as the CLI prints dates
    const thisYear = new Date().getFullYear();
    const seconds = new Date(thisYear, 0, 2, 3, 4).getTime() / 1000;
    expect(formatTime(seconds)).toBe(`${thisYear}-01-02 03:04`);
    const before = new Date(2023, 10, 12, 13, 14).getTime() / 1000;
    expect(formatTime(before)).toBe('2023-11-12 13:14');
    expect(formatTime(null)).toBe('–');
  });

  it('finds a value in any source unless one is named', () => {
    const values = { 'metrics.json': { acc: 1 }, logged: { acc: 2, loss: 3 } };
    expect(valueOf(values, 'loss')).toBe(3);
    expect(valueOf(values, 'acc', 'logged')).toBe(2);
    expect(valueOf(values, 'nope')).toBeUndefined();
  });

  it('shows the metrics most runs have as columns, naming the file of a shared name', () => {
    const columns = valueColumns([
      { kind: 'param', source: 'logged', name: 'lr', runs: 9 },
      { kind: 'metric', source: 'logged', name: 'acc', runs: 5 },
      { kind: 'metric', source: 'metrics.json', name: 'acc', runs: 7 },
      { kind: 'metric', source: 'logged', name: 'loss', runs: 5 },
      { kind: 'metric', source: 'logged', name: 'rare', runs: 1 }
    ]);
    expect(columns.map(c => c.title)).toEqual([
      'acc (metrics.json)',
      'acc (logged)',
      'loss'
    ]);
    expect(columns[2].cell(run('1-a', { loss: 0.5 }))).toBe('0.5');
    expect(columns[0].cell(run('1-a', { loss: 0.5 }))).toBe('–');
  });

  it('builds query strings with repeated parameters', () => {
    expect(queryString({ path: 'a b', run: ['x', 'y'], ref: undefined })).toBe(
      '?path=a+b&run=x&run=y'
    );
    expect(queryString({})).toBe('');
  });
});

describe('shortTitles', () => {
  it('keeps the last part of a dotted key unless two keys end alike', () => {
    expect(shortTitles(['train.lr', 'train.epochs', 'seed'])).toEqual([
      'lr',
      'epochs',
      'seed'
    ]);
    expect(shortTitles(['train.lr', 'finetune.lr', 'train.seed'])).toEqual([
      'train.lr',
      'finetune.lr',
      'seed'
    ]);
  });
});
