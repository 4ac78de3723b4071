import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { IRunSort, IRunsModel } from '../tokens';
import {
  COLUMN_WIDTHS,
  browserStorage,
  keyId,
  loadColumns,
  metricsThatFit,
  saveColumns,
  shownKeys,
  startedFits,
  toggleColumn
} from '../model/columns';
import { formatTime, formatValue, valueOf } from './format';
import { VirtualList } from './virtual';

const ROW_HEIGHT = 26;

interface IColumn {
  id: string;
  title: string;
  sort: IRunSort['by'];
  name?: string;
  source?: string;
  cell(run: API.IRunSummary): string;
}

/**
 * The param and metric columns: the chosen ones (`chosen` null: the `count` metrics most runs
 * have); a name in two files shows its file.
 */
export function valueColumns(
  keys: readonly API.IRunKey[],
  chosen: readonly string[] | null = null,
  count?: number
): IColumn[] {
  return shownKeys(keys, chosen, count).map(key => {
    const twice =
      keys.filter(k => k.kind === key.kind && k.name === key.name).length > 1;
    const values = (run: API.IRunSummary) =>
      key.kind === 'metric' ? run.metrics : run.params;
    return {
      id: keyId(key),
      title: twice ? `${key.name} (${key.source})` : key.name,
      sort: key.kind,
      name: key.name,
      source: key.source,
      cell: run => formatValue(valueOf(values(run), key.name, key.source))
    };
  });
}

const RUN: IColumn = {
  id: 'run',
  title: 'Run',
  sort: 'started',
  cell: run => run.short_id
};
const STARTED: IColumn = {
  id: 'started',
  title: 'Started',
  sort: 'started',
  cell: run => formatTime(run.started)
};

/**
 * The grid of the table: every row and the header share it, so columns line up. The select
 * box, the run and the start time have their widths; params and metrics share the rest (at
 * least their minimum each: only more columns than fit, chosen by the user, scroll sideways).
 */
function tableStyle(columns: readonly IColumn[]): React.CSSProperties {
  const { select, run, started, value } = COLUMN_WIDTHS;
  const fixed: Record<string, number> = { run, started };
  const widths = columns.map(c => fixed[c.id] ?? value);
  const template = [
    `${select}px`,
    ...columns.map(c =>
      c.id in fixed ? `${fixed[c.id]}px` : `minmax(${value}px, 1fr)`
    )
  ].join(' ');
  const width = widths.reduce((a, b) => a + b, select);
  return {
    ['--jp-nbvc-grid' as string]: template,
    ['--jp-nbvc-table-width' as string]: `${width}px`
  };
}

/**
 * The width rows have in `table` (px), followed as the panel is resized: its width without
 * the list's scrollbar gutter. Null until measured.
 */
function useRowWidth(
  table: React.RefObject<HTMLDivElement | null>
): number | null {
  const [width, setWidth] = React.useState<number | null>(null);
  React.useLayoutEffect(() => {
    const node = table.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const measure = (): void => {
      const list = node.querySelector<HTMLElement>('.jp-nbvc-vlist');
      const gutter = list ? list.offsetWidth - list.clientWidth : 0;
      const room = node.clientWidth - gutter;
      setWidth(room > 0 ? room : null); // 0: hidden (another tab), keep the last layout
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, [table]);
  return width;
}

function sameSort(sort: IRunSort, column: IColumn): boolean {
  return (
    sort.by === column.sort &&
    (sort.name ?? null) === (column.name ?? null) &&
    (sort.source ?? null) === (column.source ?? null)
  );
}

export interface IRunsViewProps {
  model: IRunsModel;
  commands: CommandRegistry;
  /** Which repo (the column choice is remembered per repo). */
  repo: string;
}

/** The runs table: sortable by any column, virtualised, rows selected to compare. */
export function RunsView(props: IRunsViewProps): React.ReactElement {
  const { model, commands, repo } = props;
  const [active, setActive] = React.useState(-1);
  const [chosen, setChosen] = React.useState(() =>
    loadColumns(browserStorage(), repo)
  );
  React.useEffect(() => setChosen(loadColumns(browserStorage(), repo)), [repo]);
  const choose = (next: string[] | null): void => {
    saveColumns(browserStorage(), repo, next);
    setChosen(next);
  };
  const table = React.useRef<HTMLDivElement>(null);
  const width = useRowWidth(table);
  const fit = metricsThatFit(width);
  const values = valueColumns(model.keys, chosen, fit);
  const columns = [
    RUN,
    ...(startedFits(width, values.length) ? [STARTED] : []),
    ...values
  ];
  const selected = model.selected;
  const sort = model.sort;
  const onRange = React.useCallback(
    (start: number, end: number) => model.ensure(start, end),
    [model]
  );
  const toggleAt = (index: number): void => {
    const run = model.runAt(index);
    if (run) {
      model.toggle(run.id);
    }
  };
  const sortBy = (column: IColumn): void => {
    const order =
      sameSort(sort, column) && sort.order === 'desc' ? 'asc' : 'desc';
    model.sort = {
      by: column.sort,
      order,
      name: column.name,
      source: column.source
    };
  };
  const count = model.state === 'idle' ? 0 : Math.max(model.total, 0);
  const [filter, setFilter] = React.useState(model.filter);
  return (
    <div className="jp-nbvc-view jp-nbvc-runs-view">
      <div className="jp-nbvc-toolbar">
        <button
          className="jp-nbvc-button jp-mod-accept"
          disabled={selected.length < 2}
          onClick={() => void commands.execute(CommandIDs.compareRuns, {})}
        >
          Compare{selected.length > 0 ? ` (${selected.length})` : ''}
        </button>
        <button
          className="jp-nbvc-button"
          disabled={selected.length === 0}
          onClick={() => model.clearSelection()}
        >
          Clear
        </button>
        <input
          className="jp-nbvc-filter"
          type="search"
          aria-label="Filter runs"
          placeholder="metrics.acc > 0.9 and params.model = 'rf'"
          title="Filter runs (MLflow's search syntax); Enter applies it"
          value={filter}
          onChange={event => setFilter(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              model.filter = filter;
            }
          }}
        />
        <ColumnPicker
          keys={model.keys}
          chosen={chosen}
          count={fit}
          onChoose={choose}
        />
        <span className="jp-nbvc-count" aria-live="polite">
          {model.state === 'error'
            ? model.message
            : `${model.total} run${model.total === 1 ? '' : 's'}`}
        </span>
      </div>
      {model.active.length > 0 && (
        <ul className="jp-nbvc-active-runs" aria-label="Runs in progress">
          {model.active.map(run => (
            <li key={run.id} data-status={run.status}>
              <span className="jp-nbvc-run-status" data-status={run.status}>
                {run.status}
              </span>
              <span>{run.short_id}</span>
              <span className="jp-nbvc-run-values">
                {Object.entries(run.metrics.logged ?? {})
                  .map(([name, value]) => `${name}=${formatValue(value)}`)
                  .join(' ')}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="jp-nbvc-table" ref={table} style={tableStyle(columns)}>
        <div className="jp-nbvc-table-header" role="row" aria-rowindex={1}>
          <span role="columnheader" className="jp-nbvc-cell jp-nbvc-select">
            <span className="jp-nbvc-sr-only">Selected</span>
          </span>
          {columns.map(column => {
            const sorted = sameSort(sort, column) && column.id !== 'run';
            const ariaSort = sorted
              ? sort.order === 'asc'
                ? 'ascending'
                : 'descending'
              : 'none';
            return (
              <span
                key={column.id}
                role="columnheader"
                aria-sort={ariaSort}
                className="jp-nbvc-cell"
                data-column={column.id}
              >
                <button
                  className="jp-nbvc-sort"
                  aria-label={`Sort by ${column.title}`}
                  title={`Sort by ${column.title}`}
                  onClick={() => sortBy(column)}
                >
                  <span className="jp-nbvc-sort-title">{column.title}</span>
                  <span className="jp-nbvc-sort-mark" aria-hidden="true">
                    {sorted ? (sort.order === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </span>
            );
          })}
        </div>
        <VirtualList
          id="jp-nbvc-runs"
          className="jp-nbvc-run-list"
          role="grid"
          label="Runs"
          count={count}
          rowHeight={ROW_HEIGHT}
          active={active}
          onActive={setActive}
          onActivate={toggleAt}
          onRange={onRange}
          isSelected={index => {
            const run = model.runAt(index);
            return run !== null && selected.includes(run.id);
          }}
          renderRow={index => (
            <RunRow
              run={model.runAt(index)}
              columns={columns}
              selected={selected}
              onToggle={() => toggleAt(index)}
            />
          )}
        />
      </div>
      {model.state === 'ready' && model.total === 0 && (
        <p className="jp-nbvc-message">
          No runs yet: `nbvc repro` runs the pipeline, and nbvc.log_metric logs
          from a notebook or script.
        </p>
      )}
    </div>
  );
}

/** Choose the param and metric columns (remembered per repo), or go back to the default. */
function ColumnPicker(props: {
  keys: readonly API.IRunKey[];
  chosen: readonly string[] | null;
  /** How many metrics the default shows at this width. */
  count: number;
  onChoose(chosen: string[] | null): void;
}): React.ReactElement {
  const { keys, chosen, count, onChoose } = props;
  const shown = new Set(shownKeys(keys, chosen, count).map(keyId));
  const group = (kind: API.IRunKey['kind'], title: string) => {
    const ofKind = keys.filter(k => k.kind === kind);
    if (ofKind.length === 0) {
      return null;
    }
    return (
      <fieldset className="jp-nbvc-columns-group">
        <legend>{title}</legend>
        {ofKind.map(key => {
          const id = keyId(key);
          const twice = ofKind.filter(k => k.name === key.name).length > 1;
          return (
            <label
              key={id}
              title={`${key.name} from ${key.source}, in ${key.runs} run${key.runs === 1 ? '' : 's'}`}
            >
              <input
                type="checkbox"
                checked={shown.has(id)}
                onChange={() => onChoose(toggleColumn(keys, chosen, id, count))}
              />
              {twice ? `${key.name} (${key.source})` : key.name}
            </label>
          );
        })}
      </fieldset>
    );
  };
  return (
    <details className="jp-nbvc-columns">
      <summary
        className="jp-nbvc-button"
        title="Choose which params and metrics are columns"
      >
        Columns
      </summary>
      <div
        className="jp-nbvc-columns-menu"
        role="group"
        aria-label="Columns shown"
      >
        {keys.length === 0 ? (
          <p className="jp-nbvc-message">No params or metrics logged yet.</p>
        ) : (
          <>
            {group('metric', 'Metrics')}
            {group('param', 'Params')}
            <button
              className="jp-nbvc-button"
              disabled={chosen === null}
              onClick={() => onChoose(null)}
            >
              Default columns
            </button>
          </>
        )}
      </div>
    </details>
  );
}

function RunRow(props: {
  run: API.IRunSummary | null;
  columns: IColumn[];
  selected: readonly string[];
  onToggle(): void;
}): React.ReactElement {
  const { run, columns } = props;
  if (run === null) {
    return (
      <div className="jp-nbvc-run jp-nbvc-run-loading">
        <span className="jp-nbvc-cell jp-nbvc-select" />
        {columns.map(column => (
          <span key={column.id} className="jp-nbvc-cell">
            …
          </span>
        ))}
      </div>
    );
  }
  const isSelected = props.selected.includes(run.id);
  return (
    <div
      className="jp-nbvc-run"
      data-status={run.status}
      onClick={props.onToggle}
    >
      <span role="gridcell" className="jp-nbvc-cell jp-nbvc-select">
        <input
          type="checkbox"
          tabIndex={-1}
          checked={isSelected}
          aria-label={`Select run ${run.short_id}`}
          onChange={props.onToggle}
          onClick={event => event.stopPropagation()}
        />
      </span>
      {columns.map(column => (
        <span
          key={column.id}
          role="gridcell"
          className="jp-nbvc-cell"
          data-column={column.id}
          title={
            column.id === 'run'
              ? `${column.cell(run)}: ${run.status}, started ${formatTime(run.started)}`
              : column.cell(run)
          }
        >
          {column.id === 'run' && (
            <span
              className="jp-nbvc-status-dot"
              data-status={run.status}
              aria-label={run.status}
              role="img"
            />
          )}
          {column.cell(run)}
        </span>
      ))}
    </div>
  );
}
