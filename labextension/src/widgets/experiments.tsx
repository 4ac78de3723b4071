import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { IExperimentsModel } from '../tokens';
import { formatDuration, formatValue } from './format';
import { VirtualList } from './virtual';

export interface IExperimentsViewProps {
  model: IExperimentsModel;
  commands: CommandRegistry;
}

/**
 * Sweeps with their live status; the selected sweep as a table (status, metrics with the best
 * of each marked, params, time), sortable by a metric; pick rows to compare; apply a run;
 * cancel a running sweep.
 */
export function ExperimentsView(
  props: IExperimentsViewProps
): React.ReactElement {
  const { model, commands } = props;
  React.useEffect(() => {
    if (model.state === 'idle') {
      void model.refresh().catch(() => undefined);
    }
  });
  const error = model.state === 'error' && (
    <p className="jp-nbvc-message jp-nbvc-error" role="status">
      {model.message}
    </p>
  );
  if (model.sweeps.length === 0) {
    if (error) {
      return error;
    }
    return (
      <p className="jp-nbvc-message" role="status">
        {model.state === 'ready'
          ? 'No sweeps yet: `nbvc exp run -S KEY=VALUES` or `%exp_run` in a notebook.'
          : 'Loading experiments…'}
      </p>
    );
  }
  const table = model.table;
  return (
    <div className="jp-nbvc-view jp-nbvc-experiments-view">
      <ul className="jp-nbvc-sweeps" aria-label="Sweeps">
        {model.sweeps.map(sweep => (
          <SweepItem
            key={sweep.id}
            sweep={sweep}
            selected={sweep.id === model.selected}
            onSelect={() => void model.select(sweep.id).catch(() => undefined)}
            onCancel={() =>
              void commands.execute(CommandIDs.cancelSweep, { sweep: sweep.id })
            }
          />
        ))}
      </ul>
      {error ||
        (table && (
          <SweepTableView model={model} table={table} commands={commands} />
        ))}
    </div>
  );
}

function counts(sweep: { counts: Record<string, number> }): string {
  return Object.entries(sweep.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

function SweepItem(props: {
  sweep: API.ISweepSummary;
  selected: boolean;
  onSelect: () => void;
  onCancel: () => void;
}): React.ReactElement {
  const { sweep, selected } = props;
  return (
    <li
      className={`jp-nbvc-sweep${selected ? ' jp-mod-selected' : ''}`}
      data-status={sweep.status}
    >
      <button
        className="jp-nbvc-link"
        aria-pressed={selected}
        onClick={props.onSelect}
        title={sweep.executor ?? ''}
      >
        {sweep.name}
      </button>{' '}
      <span className="jp-nbvc-dim">
        {sweep.status} · {counts(sweep)}
      </span>
      {sweep.status === 'running' && (
        <button className="jp-nbvc-button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </li>
  );
}

const ROW_HEIGHT = 26;
/**
 * Column widths (px): pick, experiment (its status a coloured dot), each metric and param
 * (metrics first: at the panel's default width they are what fits), time, apply.
 */
const LEAD_WIDTHS = [24, 100];
const VALUE_WIDTH = 64;
const TAIL_WIDTHS = [52, 56];

/**
 * Column titles for param keys: the last part of a dotted key (`train.lr` -> `lr`) where no
 * other key ends the same way; the full key is the header's tooltip.
 */
export function shortTitles(keys: readonly string[]): string[] {
  const last = keys.map(key => key.slice(key.lastIndexOf('.') + 1));
  return keys.map((key, i) =>
    last.filter(name => name === last[i]).length > 1 ? key : last[i]
  );
}

/** The grid every row and the header share, so columns line up. */
function gridStyle(values: number): React.CSSProperties {
  const width =
    [...LEAD_WIDTHS, ...TAIL_WIDTHS].reduce((a, b) => a + b, 0) +
    values * VALUE_WIDTH;
  const template = [
    ...LEAD_WIDTHS.map(w => `${w}px`),
    ...Array<string>(values).fill(`minmax(${VALUE_WIDTH}px, 1fr)`),
    ...TAIL_WIDTHS.map(w => `${w}px`)
  ].join(' ');
  return {
    ['--jp-nbvc-grid' as string]: template,
    ['--jp-nbvc-table-width' as string]: `${width}px`
  };
}

/**
 * The selected sweep: one row per experiment, virtualised (a 1,000-point sweep costs what a
 * screenful does, also while it refreshes as results arrive). Space picks the active row.
 */
function SweepTableView(props: {
  model: IExperimentsModel;
  table: API.ISweepTable;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, table, commands } = props;
  const [active, setActive] = React.useState(-1);
  const picked = new Set(model.picked);
  const paramTitles = shortTitles(table.params);
  const pickable = (row: API.IExpRow): boolean =>
    row.status !== 'queued' && row.status !== 'running';
  const apply = (row: API.IExpRow): void =>
    void commands.execute(CommandIDs.applyRun, { run: row.id });
  return (
    <div className="jp-nbvc-sweep-table">
      <div className="jp-nbvc-toolbar">
        <label>
          Sort{' '}
          <select
            aria-label="Sort by metric"
            value={model.sort ?? ''}
            onChange={event => {
              model.sort = event.target.value || null;
            }}
          >
            <option value="">sweep order</option>
            {table.metrics.map(metric => (
              <option key={metric} value={metric}>
                best {metric}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-nbvc-button"
          disabled={model.picked.length < 2}
          onClick={() =>
            void commands.execute(CommandIDs.compareRuns, {
              ids: [...model.picked]
            })
          }
        >
          Compare {model.picked.length > 1 ? model.picked.length : ''}
        </button>
        <span className="jp-nbvc-count">{table.rows.length} experiments</span>
      </div>
      <div
        className="jp-nbvc-table"
        style={gridStyle(table.params.length + table.metrics.length)}
      >
        <div className="jp-nbvc-table-header" role="row" aria-rowindex={1}>
          <span role="columnheader" className="jp-nbvc-cell">
            <span className="jp-nbvc-sr-only">Picked</span>
          </span>
          <span role="columnheader" className="jp-nbvc-cell">
            experiment
          </span>
          {table.metrics.map(m => (
            <span
              key={`m-${m}`}
              role="columnheader"
              className="jp-nbvc-cell"
              data-column="metric"
              title={`metric ${m}`}
            >
              {m}
            </span>
          ))}
          {table.params.map((p, i) => (
            <span
              key={`p-${p}`}
              role="columnheader"
              className="jp-nbvc-cell"
              data-column="param"
              title={`param ${p}`}
            >
              {paramTitles[i]}
            </span>
          ))}
          <span role="columnheader" className="jp-nbvc-cell">
            time
          </span>
          <span role="columnheader" className="jp-nbvc-cell">
            <span className="jp-nbvc-sr-only">Apply</span>
          </span>
        </div>
        <VirtualList
          id="jp-nbvc-sweep"
          className="jp-nbvc-sweep-rows"
          role="grid"
          label={`Sweep ${table.name}`}
          count={table.rows.length}
          rowHeight={ROW_HEIGHT}
          active={active}
          onActive={setActive}
          onActivate={(index, key) => {
            const row = table.rows[index];
            if (key === ' ' && pickable(row)) {
              model.toggle(row.id);
            } else if (key === 'Enter' && row.status === 'completed') {
              apply(row);
            }
          }}
          isSelected={index => picked.has(table.rows[index].id)}
          renderRow={index => (
            <ExpRow
              row={table.rows[index]}
              table={table}
              picked={picked.has(table.rows[index].id)}
              pickable={pickable(table.rows[index])}
              onPick={() => model.toggle(table.rows[index].id)}
              onApply={() => apply(table.rows[index])}
            />
          )}
        />
      </div>
    </div>
  );
}

function ExpRow(props: {
  row: API.IExpRow;
  table: API.ISweepTable;
  picked: boolean;
  pickable: boolean;
  onPick(): void;
  onApply(): void;
}): React.ReactElement {
  const { row, table } = props;
  return (
    <div className="jp-nbvc-exp-row" data-status={row.status}>
      <span role="gridcell" className="jp-nbvc-cell">
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={`Pick ${row.name}`}
          checked={props.picked}
          disabled={!props.pickable}
          onChange={props.onPick}
        />
      </span>
      <span
        role="gridcell"
        className="jp-nbvc-cell"
        title={`${row.name}: ${row.status} (run ${row.short_id})`}
      >
        <span
          className="jp-nbvc-status-dot"
          data-status={row.status}
          aria-label={row.status}
          role="img"
        />
        {row.name}
      </span>
      {table.metrics.map(m => {
        const best = table.best[m] === row.id;
        return (
          <span
            key={`m-${m}`}
            role="gridcell"
            className={`jp-nbvc-cell${best ? ' jp-nbvc-best' : ''}`}
            data-column="metric"
            title={best ? `best ${m}` : `${m} = ${formatValue(row.metrics[m])}`}
          >
            {formatValue(row.metrics[m])}
            {best ? ' ★' : ''}
          </span>
        );
      })}
      {table.params.map(p => (
        <span
          key={`p-${p}`}
          role="gridcell"
          className="jp-nbvc-cell"
          data-column="param"
          title={`${p} = ${formatValue(row.params[p])}`}
        >
          {formatValue(row.params[p])}
        </span>
      ))}
      <span role="gridcell" className="jp-nbvc-cell">
        {formatDuration(row.duration)}
      </span>
      <span role="gridcell" className="jp-nbvc-cell">
        {row.status === 'completed' && (
          <button
            className="jp-nbvc-button"
            tabIndex={-1}
            title="Restore this run's params, deps and outs in the workspace"
            onClick={props.onApply}
          >
            Apply
          </button>
        )}
      </span>
    </div>
  );
}
