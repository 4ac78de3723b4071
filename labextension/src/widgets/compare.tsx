import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { nbvcIcon } from '../icon';
import { IComparisonRow, IRunComparison, Tone } from '../tokens';
import { PlotsWidget } from './chart';
import { formatChange, formatValue } from './format';

/**
 * Runs compared in the main area: params and metrics side by side with their change from the
 * baseline (the first run), and the runs' metric series drawn by JupyterLab's Vega-Lite
 * renderer.
 */
export class CompareWidget extends Panel {
  constructor(
    readonly comparison: IRunComparison,
    rendermime: IRenderMimeRegistry,
    themeChanged: ISignal<unknown, unknown> | null = null
  ) {
    super();
    this.id = `nbvc-compare-${comparison.ids.join('-').slice(0, 200)}`;
    this.addClass('jp-nbvc-compare');
    // short enough for a main-area tab; the caption names the runs
    this.title.label = `Compare ${comparison.labels.length} runs`;
    this.title.caption = `Compare runs ${comparison.labels.join(', ')}`;
    this.title.icon = nbvcIcon;
    this.title.closable = true;
    this._plots = new PlotsWidget(rendermime);
    this.addWidget(new ComparisonTable(comparison));
    this.addWidget(this._plots);
    comparison.changed.connect(this._onChanged, this);
    // The Vega-Lite renderer picks its colours when it draws: draw again in the new theme.
    themeChanged?.connect(() => setTimeout(() => this._onChanged(), 0), this);
    this._onChanged();
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.comparison.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  protected override onCloseRequest(msg: Message): void {
    super.onCloseRequest(msg);
    this.dispose();
  }

  private _onChanged(): void {
    if (!this.isDisposed && this.comparison.state === 'ready') {
      void this._plots.setPlots(this.comparison.plots);
    }
  }

  private readonly _plots: PlotsWidget;
}

class ComparisonTable extends ReactWidget {
  constructor(private readonly _comparison: IRunComparison) {
    super();
    this.addClass('jp-nbvc-compare-table');
    _comparison.changed.connect(() => this.update(), this);
  }

  protected render(): React.ReactElement {
    const comparison = this._comparison;
    if (comparison.state === 'error') {
      return (
        <p className="jp-nbvc-message jp-nbvc-error">{comparison.message}</p>
      );
    }
    if (comparison.state !== 'ready') {
      return <p className="jp-nbvc-message">Comparing runs…</p>;
    }
    if (comparison.rows.length === 0) {
      return (
        <p className="jp-nbvc-message">These runs have no params or metrics.</p>
      );
    }
    return (
      <>
        <table aria-label="Params and metrics of the compared runs">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {comparison.labels.map((label, index) => (
                <th scope="col" key={label}>
                  {label}
                  {index === 0 ? ' (baseline)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {comparison.rows.map(row => (
              <Row key={`${row.kind}:${row.path}:${row.name}`} row={row} />
            ))}
          </tbody>
        </table>
        <p className="jp-nbvc-compare-legend">
          Changes from the baseline:{' '}
          <span className="jp-nbvc-delta" data-tone="good">
            better
          </span>{' '}
          or{' '}
          <span className="jp-nbvc-delta" data-tone="bad">
            worse
          </span>{' '}
          by each metric's direction (lower is better for loss, error, rmse…).
        </p>
      </>
    );
  }
}

function Row(props: { row: IComparisonRow }): React.ReactElement {
  const { row } = props;
  const changed =
    row.changes.some(c => c !== null && c !== 0) ||
    row.values.some(v => JSON.stringify(v) !== JSON.stringify(row.values[0]));
  return (
    <tr data-kind={row.kind} data-changed={changed}>
      <th scope="row" title={`${row.kind} from ${row.path}`}>
        <span className="jp-nbvc-row-kind">{row.kind}</span> {row.name}
        {row.path !== 'logged' && (
          <span className="jp-nbvc-row-source"> {row.path}</span>
        )}
      </th>
      {row.values.map((value, index) => {
        const change = formatChange(row.changes[index], row.percents[index]);
        return (
          <td key={index}>
            <span className="jp-nbvc-value">{formatValue(value)}</span>
            {change && (
              <span
                className="jp-nbvc-delta"
                data-tone={row.tones[index] ?? undefined}
                title={toneTitle(row.tones[index])}
              >
                {change}
              </span>
            )}
          </td>
        );
      })}
    </tr>
  );
}

function toneTitle(tone: Tone): string | undefined {
  return tone === 'good' ? 'better' : tone === 'bad' ? 'worse' : undefined;
}
