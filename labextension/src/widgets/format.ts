/** Text for values shown in the panel: sizes, times, numbers, changes. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A date in the browser's time zone, always with its year as the CLI prints it:
 * `2026-05-01 14:03`.
 */
export function formatTime(seconds: number | null): string {
  if (seconds === null) {
    return '–';
  }
  const date = new Date(seconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return '–';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes} min ${Math.round(seconds % 60)} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A param or metric value: numbers to at most 6 significant digits, others as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? String(value)
      : String(+value.toPrecision(6));
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

/** A change against the baseline, e.g. `+0.25 (+50%)`; '' when there is none to show. */
export function formatChange(
  change: number | null,
  percent: number | null
): string {
  if (change === null || change === 0) {
    return '';
  }
  const sign = change > 0 ? '+' : '−';
  const amount = `${sign}${formatValue(Math.abs(change))}`;
  if (percent === null) {
    return amount;
  }
  return `${amount} (${sign}${+Math.abs(percent).toPrecision(3)}%)`;
}

/** A metric or param of a run summary, `source` first, then any source holding `name`. */
export function valueOf(
  values: Record<string, Record<string, unknown>>,
  name: string,
  source?: string
): unknown {
  if (source !== undefined) {
    return values[source]?.[name];
  }
  for (const byName of Object.values(values)) {
    if (name in byName) {
      return byName[name];
    }
  }
  return undefined;
}
