import { API } from '../api';

/**
 * Which params and metrics the runs table shows as columns, chosen by the user and remembered
 * per repo (in the browser's local storage, keyed by the server and the repo's root); until a
 * choice is made, the metrics most runs have, as many as fit the panel's width.
 */

/** Metric columns shown until the user chooses: the metrics most runs have (at most). */
export const DEFAULT_METRIC_COLUMNS = 3;
const PREFIX = 'nbvc:run-columns:';

/**
 * Column widths (px): the select box, the run (its status as a dot, then its id), the start
 * time (with the year), and the least a param or metric column gets (its values fit; a long
 * name is cut short, and its header's tooltip says it whole).
 */
export const COLUMN_WIDTHS = { select: 24, run: 88, started: 124, value: 56 };

/**
 * How many default metric columns fit a table `width` px wide (null: not measured yet, as
 * many as the default has): at least one, so the table always shows a metric.
 */
export function metricsThatFit(width: number | null): number {
  if (width === null) {
    return DEFAULT_METRIC_COLUMNS;
  }
  const room = width - COLUMN_WIDTHS.select - COLUMN_WIDTHS.run;
  const fit = Math.floor(room / COLUMN_WIDTHS.value);
  return Math.max(1, Math.min(DEFAULT_METRIC_COLUMNS, fit));
}

/**
 * Whether the start time fits beside `values` param and metric columns in a table `width` px
 * wide (at the panel's default width it does not: the run's tooltip says when it started, and
 * the run column sorts by it).
 */
export function startedFits(width: number | null, values: number): boolean {
  const { select, run, started, value } = COLUMN_WIDTHS;
  return width === null || width >= select + run + started + values * value;
}

/** What `localStorage` offers that the choice needs (a fake in tests). */
export interface IColumnStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A param or metric as a column id: `metric:logged:loss`, `param:params.yaml:lr`. */
export function keyId(
  key: Pick<API.IRunKey, 'kind' | 'source' | 'name'>
): string {
  return `${key.kind}:${key.source}:${key.name}`;
}

/** The metrics most runs have (ties by name), at most `count`. */
export function defaultColumns(
  keys: readonly API.IRunKey[],
  count: number = DEFAULT_METRIC_COLUMNS
): string[] {
  return keys
    .filter(k => k.kind === 'metric')
    .sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name))
    .slice(0, count)
    .map(keyId);
}

/**
 * The keys shown, in the order chosen (`chosen` null: the default, `count` metrics). Chosen
 * ids the runs no longer have are left out.
 */
export function shownKeys(
  keys: readonly API.IRunKey[],
  chosen: readonly string[] | null,
  count: number = DEFAULT_METRIC_COLUMNS
): API.IRunKey[] {
  const ids = chosen ?? defaultColumns(keys, count);
  const byId = new Map(keys.map(k => [keyId(k), k]));
  return ids
    .map(id => byId.get(id))
    .filter((k): k is API.IRunKey => k !== undefined);
}

/**
 * `chosen` with `id` shown or hidden (a shown id is appended: the newest column is last);
 * `count`: how many metrics the default shows.
 */
export function toggleColumn(
  keys: readonly API.IRunKey[],
  chosen: readonly string[] | null,
  id: string,
  count: number = DEFAULT_METRIC_COLUMNS
): string[] {
  const current = chosen ?? defaultColumns(keys, count);
  return current.includes(id)
    ? current.filter(c => c !== id)
    : [...current, id];
}

/** The storage key of a repo's choice. */
export function storageKey(repo: string): string {
  return `${PREFIX}${repo}`;
}

/** The columns chosen for `repo`, or null (never chosen, or unreadable). */
export function loadColumns(
  storage: IColumnStorage | null,
  repo: string
): string[] | null {
  try {
    const text = storage?.getItem(storageKey(repo)) ?? null;
    if (text === null) {
      return null;
    }
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every(v => typeof v === 'string')
      ? value
      : null;
  } catch {
    return null; // storage refused (private mode) or a hand-edited value
  }
}

/** Remember `chosen` for `repo` (null: back to the default). */
export function saveColumns(
  storage: IColumnStorage | null,
  repo: string,
  chosen: readonly string[] | null
): void {
  try {
    if (chosen === null) {
      storage?.removeItem(storageKey(repo));
    } else {
      storage?.setItem(storageKey(repo), JSON.stringify(chosen));
    }
  } catch {
    // storage full or refused: the choice lasts for this page only
  }
}

/** The browser's local storage, if this page may use it. */
export function browserStorage(): IColumnStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
