import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { IArtifactsModel } from '../tokens';
import { formatSize, formatTime } from './format';
import { VirtualList } from './virtual';

const ROW_HEIGHT = 28;
/** Four short lines: name and checkout, message, date and size, producer. */
const VERSION_ROW_HEIGHT = 72;
/** Diff entries listed per group; the rest are counted. */
const DIFF_LIMIT = 100;

export const BADGES: Record<API.ArtifactState, string> = {
  unchanged: 'clean',
  modified: 'modified',
  deleted: 'deleted',
  'not in cache': 'no cache'
};

export interface IArtifactsViewProps {
  model: IArtifactsModel;
  commands: CommandRegistry;
}

/** Tracked artifacts (filterable, virtualised) and the selected one's versions and diff. */
export function ArtifactsView(props: IArtifactsViewProps): React.ReactElement {
  const { model, commands } = props;
  const [active, setActive] = React.useState(-1);
  const visible = model.visible;
  const select = (index: number): void => {
    const artifact = visible[index];
    if (artifact) {
      model.select(artifact.path);
    }
  };
  return (
    <div className="jp-nbvc-view jp-nbvc-artifacts-view">
      <div className="jp-nbvc-toolbar">
        <input
          type="search"
          className="jp-nbvc-filter jp-mod-styled"
          placeholder="Filter artifacts"
          aria-label="Filter artifacts"
          value={model.filter}
          onChange={event => {
            model.filter = event.currentTarget.value;
            setActive(-1);
          }}
        />
        <span className="jp-nbvc-count" aria-live="polite">
          {visible.length === model.all.length
            ? `${model.all.length} tracked`
            : `${visible.length} of ${model.all.length}`}
        </span>
      </div>
      <VirtualList
        id="jp-nbvc-artifacts"
        className="jp-nbvc-artifact-list"
        label="Tracked artifacts"
        count={visible.length}
        rowHeight={ROW_HEIGHT}
        fitContent
        active={active}
        onActive={setActive}
        onActivate={select}
        isSelected={index => visible[index]?.path === model.selected}
        renderRow={index => (
          <ArtifactRow
            artifact={visible[index]}
            onClick={() => select(index)}
          />
        )}
      />
      <DeclaredArtifacts model={model} />
      <ArtifactDetails model={model} commands={commands} />
    </div>
  );
}

/** The models and datasets the pipeline file declares; a click shows the path's versions. */
function DeclaredArtifacts(props: {
  model: IArtifactsModel;
}): React.ReactElement | null {
  const { model } = props;
  if (model.declared.length === 0) {
    return null;
  }
  return (
    <section
      className="jp-nbvc-declared"
      aria-label="Models and datasets declared in the pipeline file"
    >
      <h3 className="jp-nbvc-declared-title">Models and datasets</h3>
      <ul className="jp-nbvc-declared-list">
        {model.declared.map(artifact => (
          <li
            key={artifact.name}
            className="jp-nbvc-declared-item"
            data-type={artifact.type ?? ''}
            title={artifact.desc ?? artifact.path}
            onClick={() => model.select(artifact.path)}
          >
            <span className="jp-nbvc-declared-name">{artifact.name}</span>
            {artifact.type && (
              <span className="jp-nbvc-badge">{artifact.type}</span>
            )}
            <span className="jp-nbvc-path">{artifact.path}</span>
            <span className="jp-nbvc-version">
              {artifact.version ?? (artifact.exists ? '' : 'missing')}
              {artifact.labels.length > 0
                ? ` · ${artifact.labels.join(', ')}`
                : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ArtifactRow(props: {
  artifact: API.IArtifact;
  onClick(): void;
}): React.ReactElement {
  const { artifact } = props;
  const latest = artifact.latest;
  const current = artifact.version === null ? '' : `v${artifact.version}`;
  return (
    <div
      className="jp-nbvc-artifact"
      data-state={artifact.state}
      title={`${artifact.path} (${artifact.type}): ${artifact.state}`}
      onClick={props.onClick}
    >
      <span className="jp-nbvc-badge" data-state={artifact.state}>
        {BADGES[artifact.state]}
      </span>
      <span className="jp-nbvc-path">
        {artifact.type === 'dir' ? `${artifact.path}/` : artifact.path}
      </span>
      <span className="jp-nbvc-version">
        {current}
        {latest && latest.number !== artifact.version
          ? ` (latest ${latest.version})`
          : ''}
        {artifact.tags.length === 1
          ? ` · ${artifact.tags[0]}`
          : artifact.tags.length > 1
            ? ` · ${artifact.tags.length} tags`
            : ''}
      </span>
    </div>
  );
}

function ArtifactDetails(props: IArtifactsViewProps): React.ReactElement {
  const { model, commands } = props;
  const [active, setActive] = React.useState(-1);
  const selected = model.selected;
  if (selected === null) {
    return (
      <section className="jp-nbvc-details jp-nbvc-details-empty">
        <p className="jp-nbvc-message">
          Select an artifact to see its versions.
        </p>
      </section>
    );
  }
  const artifact = model.all.find(a => a.path === selected);
  const versions = model.versions;
  const picked = model.picked;
  return (
    <section className="jp-nbvc-details" aria-label={`Versions of ${selected}`}>
      <header className="jp-nbvc-details-header">
        <h3 className="jp-nbvc-details-title" title={selected}>
          {selected}
        </h3>
        {artifact && (
          <span className="jp-nbvc-badge" data-state={artifact.state}>
            {BADGES[artifact.state]}
          </span>
        )}
      </header>
      {model.usage && (
        <p className="jp-nbvc-usage" title="Each chunk and object counted once">
          {`${formatSize(model.usage.stored_size)} stored for ` +
            `${formatSize(model.usage.logical_size)} of versions ` +
            `(${model.usage.dedup_ratio.toFixed(1)}x)`}
        </p>
      )}
      <div className="jp-nbvc-toolbar">
        <button
          className="jp-nbvc-button"
          disabled={picked.length !== 2}
          title="Pick two versions (checkboxes) to diff them"
          onClick={() => void commands.execute(CommandIDs.diff, {})}
        >
          {picked.length === 2 ? `Diff ${picked.join(' ↔ ')}` : 'Diff'}
        </button>
        <button
          className="jp-nbvc-button"
          onClick={() =>
            void commands.execute(CommandIDs.lineage, { artifact: selected })
          }
        >
          Lineage
        </button>
        <button
          className="jp-nbvc-button"
          aria-label="Close versions"
          onClick={() => model.select(null)}
        >
          Close
        </button>
      </div>
      {model.versionsState === 'loading' && versions.length === 0 ? (
        <p className="jp-nbvc-message">Loading versions…</p>
      ) : model.versionsState === 'error' ? (
        <p className="jp-nbvc-message jp-nbvc-error">
          The versions could not be loaded.
        </p>
      ) : (
        <VirtualList
          id="jp-nbvc-versions"
          className="jp-nbvc-version-list"
          label={`Versions of ${selected}`}
          count={versions.length}
          rowHeight={VERSION_ROW_HEIGHT}
          fitContent
          active={active}
          onActive={setActive}
          onActivate={index => model.pick(versions[index].version)}
          isSelected={index => picked.includes(versions[index]?.version)}
          renderRow={index => (
            <VersionRow
              version={versions[index]}
              current={artifact?.version === versions[index].number}
              picked={picked.includes(versions[index].version)}
              onPick={() => model.pick(versions[index].version)}
              onCheckout={() =>
                void commands.execute(CommandIDs.checkout, {
                  artifact: selected,
                  ref: versions[index].version
                })
              }
            />
          )}
        />
      )}
      <DiffView model={model} />
    </section>
  );
}

function VersionRow(props: {
  version: API.IVersion;
  current: boolean;
  picked: boolean;
  onPick(): void;
  onCheckout(): void;
}): React.ReactElement {
  const { version } = props;
  const producer = version.producer
    ? version.producer.startsWith('cell:')
      ? 'made by a notebook cell'
      : `made by ${version.producer.split('@')[0].replace(':', ' ')}`
    : '';
  return (
    <div className="jp-nbvc-version-row" data-current={props.current}>
      <input
        type="checkbox"
        checked={props.picked}
        aria-label={`Pick ${version.version} to diff`}
        tabIndex={-1}
        onChange={props.onPick}
      />
      <div className="jp-nbvc-version-main">
        <div className="jp-nbvc-version-line">
          <span className="jp-nbvc-version-name">{version.version}</span>
          {props.current && (
            <span
              className="jp-nbvc-current"
              title="The version in the workspace"
            >
              current
            </span>
          )}
          {version.tags.map(tag => (
            <span key={tag} className="jp-nbvc-tag">
              {tag}
            </span>
          ))}
          <button
            className="jp-nbvc-button jp-nbvc-checkout"
            aria-label={`Check out ${version.version}`}
            onClick={props.onCheckout}
          >
            Checkout
          </button>
        </div>
        <div className="jp-nbvc-version-message" title={version.message}>
          {version.message}
        </div>
        <div className="jp-nbvc-version-meta">
          {formatTime(version.created)} · {formatSize(version.size)}
          {version.kind === 'dir' ? ` · ${version.files} files` : ''}
        </div>
        {producer && (
          <div className="jp-nbvc-version-meta" title={version.producer ?? ''}>
            {producer}
          </div>
        )}
      </div>
    </div>
  );
}

function DiffView(props: {
  model: IArtifactsModel;
}): React.ReactElement | null {
  const { model } = props;
  if (model.diffState === 'idle') {
    return null;
  }
  if (model.diffState === 'loading') {
    return <p className="jp-nbvc-message">Comparing…</p>;
  }
  const diff = model.diff;
  if (model.diffState === 'error' || diff === null) {
    return <p className="jp-nbvc-message jp-nbvc-error">The diff failed.</p>;
  }
  const groups: [string, { path: string; text: string }[]][] = [
    [
      'added',
      diff.added.map(e => ({ path: e.path, text: formatSize(e.size) }))
    ],
    [
      'removed',
      diff.removed.map(e => ({ path: e.path, text: formatSize(e.size) }))
    ],
    [
      'modified',
      diff.modified.map(e => ({
        path: e.path,
        text: `${formatSize(e.old_size)} → ${formatSize(e.new_size)}`
      }))
    ]
  ];
  const same = groups.every(([, entries]) => entries.length === 0);
  return (
    <div
      className="jp-nbvc-diff"
      aria-label={`Diff ${diff.old} to ${diff.new}`}
    >
      <div className="jp-nbvc-diff-header">
        <strong>
          {diff.old} → {diff.new}
        </strong>
        <span>
          {same
            ? 'identical'
            : groups.map(([name, e]) => `${e.length} ${name}`).join(', ')}
        </span>
        <button
          className="jp-nbvc-button"
          aria-label="Close the diff"
          onClick={() => model.clearDiff()}
        >
          ×
        </button>
      </div>
      {groups.map(([name, entries]) =>
        entries.length === 0 ? null : (
          <ul key={name} className="jp-nbvc-diff-group" data-change={name}>
            {entries.slice(0, DIFF_LIMIT).map(entry => (
              <li key={entry.path}>
                <span className="jp-nbvc-diff-mark">
                  {name === 'added' ? '+' : name === 'removed' ? '−' : '~'}
                </span>
                <span className="jp-nbvc-path">{entry.path || diff.path}</span>
                <span className="jp-nbvc-diff-size">{entry.text}</span>
              </li>
            ))}
            {entries.length > DIFF_LIMIT && (
              <li>and {entries.length - DIFF_LIMIT} more</li>
            )}
          </ul>
        )
      )}
    </div>
  );
}
