import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { IExperimentsModel } from '../tokens';
import { formatDuration, formatValue } from './format';

export interface IExperimentsViewProps {
  model: IExperimentsModel;
  commands: CommandRegistry;
}

/**
 * Sweeps with their live status; the selected sweep as a table (params, metrics with the best
 * of each marked, status, time), sortable by a metric; pick rows to compare; apply a run;
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
  if (model.state === 'error') {
    return (
      <p className="jp-nbvc-message jp-nbvc-error" role="status">
        {model.message}
      </p>
    );
  }
  if (model.sweeps.length === 0) {
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
      {table && (
        <SweepTableView model={model} table={table} commands={commands} />
      )}
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

function SweepTableView(props: {
  model: IExperimentsModel;
  table: API.ISweepTable;
  commands: CommandRegistry;
}): React.ReactElement {
  const { model, table, commands } = props;
  const picked = new Set(model.picked);
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
      </div>
      <table className="jp-nbvc-table" aria-label={`Sweep ${table.name}`}>
        <thead>
          <tr>
            <th />
            <th>experiment</th>
            <th>status</th>
            <th>time</th>
            {table.params.map(p => (
              <th key={`p-${p}`}>{p}</th>
            ))}
            {table.metrics.map(m => (
              <th key={`m-${m}`}>{m}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {table.rows.map(row => (
            <tr key={row.id} data-status={row.status}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Pick ${row.name}`}
                  checked={picked.has(row.id)}
                  disabled={row.status === 'queued' || row.status === 'running'}
                  onChange={() => model.toggle(row.id)}
                />
              </td>
              <td title={row.id}>{row.name}</td>
              <td className={`jp-nbvc-status-${row.status}`}>{row.status}</td>
              <td>{formatDuration(row.duration)}</td>
              {table.params.map(p => (
                <td key={`p-${p}`}>{formatValue(row.params[p])}</td>
              ))}
              {table.metrics.map(m => (
                <td
                  key={`m-${m}`}
                  className={table.best[m] === row.id ? 'jp-nbvc-best' : ''}
                  title={table.best[m] === row.id ? `best ${m}` : ''}
                >
                  {formatValue(row.metrics[m])}
                  {table.best[m] === row.id ? ' ★' : ''}
                </td>
              ))}
              <td>
                {row.status === 'completed' && (
                  <button
                    className="jp-nbvc-button"
                    title="Restore this run's params, deps and outs in the workspace"
                    onClick={() =>
                      void commands.execute(CommandIDs.applyRun, {
                        run: row.id
                      })
                    }
                  >
                    Apply
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
