import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { ILineageModel } from '../tokens';
import { formatTime } from './format';

export interface ILineageViewProps {
  model: ILineageModel;
  commands: CommandRegistry;
}

/**
 * The lineage tree of the artifact chosen in the Artifacts view (or by a command), or the
 * lineage of a whole notebook.
 */
export function LineageView(props: ILineageViewProps): React.ReactElement {
  const { model, commands } = props;
  const wholeNotebook = (
    <button
      className="jp-nbvc-button"
      title="Every cell of the open notebook with the files it read and wrote"
      onClick={() => void commands.execute(CommandIDs.notebookLineage, {})}
    >
      Whole notebook
    </button>
  );
  if (model.notebook !== null) {
    return <NotebookLineageView model={model} commands={commands} />;
  }
  if (model.artifact === null) {
    return (
      <div className="jp-nbvc-view jp-nbvc-lineage-view">
        <p className="jp-nbvc-message">
          Choose an artifact (Artifacts, then Lineage) to see the notebook cells
          or pipeline stages that produced it, and their inputs; or see every
          cell of the open notebook with what it read and wrote.
        </p>
        <div className="jp-nbvc-lineage-actions">{wholeNotebook}</div>
      </div>
    );
  }
  const title = model.ref ? `${model.artifact}@${model.ref}` : model.artifact;
  const notebook = model.root ? producingNotebook(model.root) : null;
  return (
    <div className="jp-nbvc-view jp-nbvc-lineage-view">
      <div className="jp-nbvc-toolbar">
        <span className="jp-nbvc-lineage-title" title={title}>
          {title}
        </span>
        {notebook && (
          <button
            className="jp-nbvc-button"
            title={`Every cell of ${notebook} with the files it read and wrote`}
            onClick={() =>
              void commands.execute(CommandIDs.notebookLineage, {
                path: notebook
              })
            }
          >
            Whole notebook
          </button>
        )}
        <button
          className="jp-nbvc-button"
          onClick={() =>
            void commands.execute(CommandIDs.lineage, {
              artifact: model.artifact ?? '',
              ref: model.ref ?? ''
            })
          }
        >
          Refresh
        </button>
      </div>
      {model.state === 'loading' && model.root === null ? (
        <p className="jp-nbvc-message">Loading lineage…</p>
      ) : model.state === 'error' ? (
        <p className="jp-nbvc-message jp-nbvc-error">{model.message}</p>
      ) : model.root ? (
        <ul
          className="jp-nbvc-tree"
          role="tree"
          aria-label={`Lineage of ${title}`}
        >
          <LineageItem node={model.root} commands={commands} depth={1} />
        </ul>
      ) : null}
    </div>
  );
}

/** A file a cell read or wrote: its path, and the artifact version its content is. */
function accessText(access: API.IFileAccess): string {
  if (
    access.artifact &&
    access.version !== null &&
    access.version !== undefined
  ) {
    return access.artifact === access.path
      ? `${access.path}@v${access.version}`
      : `${access.path} (${access.artifact}@v${access.version})`;
  }
  return access.oid === null
    ? `${access.path} (changed while read)`
    : access.path;
}

function Accesses(props: {
  kind: 'reads' | 'writes';
  files: readonly API.IFileAccess[];
}): React.ReactElement | null {
  const { kind, files } = props;
  if (files.length === 0) {
    return null;
  }
  // one line per file, each path whole (several reads of one file count once)
  const unique = [...new Map(files.map(f => [accessText(f), f])).keys()];
  return (
    <div className="jp-nbvc-cell-io" data-kind={kind}>
      <span className="jp-nbvc-cell-io-kind">
        {kind === 'reads' ? 'read' : 'wrote'}
      </span>
      <ul>
        {unique.map(text => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </div>
  );
}

/** Every cell of a notebook's latest kernel session, what it read and wrote; click a cell. */
function NotebookLineageView(props: ILineageViewProps): React.ReactElement {
  const { model, commands } = props;
  const notebook = model.notebook ?? '';
  const lineage = model.cells;
  // every cell is of this notebook, and its number is in the first column: the name alone
  const nameOf = (cell: API.INotebookLineage['cells'][number]): string => {
    let name = cell.label;
    const prefix = `${lineage?.notebook ?? notebook} `;
    name = name.startsWith(prefix) ? name.slice(prefix.length) : name;
    name = name.replace(/ \[\d+\]$/, '');
    return name.startsWith('cell ') ? name.slice('cell '.length) : name;
  };
  const open = (cell: API.INotebookLineage['cells'][number]): void => {
    if (lineage?.notebook_path) {
      void commands.execute(CommandIDs.openCell, {
        path: lineage.notebook_path,
        cellId: cell.cell_id ?? '',
        executionCount: cell.execution_count ?? -1
      });
    }
  };
  return (
    <div className="jp-nbvc-view jp-nbvc-lineage-view jp-nbvc-notebook-lineage">
      <div className="jp-nbvc-toolbar">
        <span className="jp-nbvc-lineage-title" title={notebook}>
          {notebook}
        </span>
        <button
          className="jp-nbvc-button"
          onClick={() =>
            void commands.execute(CommandIDs.notebookLineage, {
              path: lineage?.notebook_path ?? ''
            })
          }
        >
          Refresh
        </button>
      </div>
      {model.state === 'loading' && lineage === null ? (
        <p className="jp-nbvc-message">Loading lineage…</p>
      ) : model.state === 'error' ? (
        <p className="jp-nbvc-message jp-nbvc-error">{model.message}</p>
      ) : lineage && lineage.cells.length === 0 ? (
        <p className="jp-nbvc-message">
          No cells recorded: run the notebook with `%load_ext nbvc` in its first
          cell, and each cell's reads and writes are recorded.
        </p>
      ) : lineage ? (
        <ol
          className="jp-nbvc-cells"
          aria-label={`Cells of ${notebook}, in the order they ran`}
        >
          {lineage.cells.map(cell => (
            <li
              key={cell.id}
              className="jp-nbvc-cell-lineage"
              data-success={cell.success}
            >
              <div className="jp-nbvc-node-line">
                <span className="jp-nbvc-node-kind">
                  {cell.execution_count === null
                    ? 'cell'
                    : `[${cell.execution_count}]`}
                </span>
                {lineage.notebook_path ? (
                  <button
                    className="jp-nbvc-link"
                    title={`Go to this cell in ${notebook} (ran ${formatTime(cell.started)})`}
                    onClick={() => open(cell)}
                  >
                    {nameOf(cell)}
                  </button>
                ) : (
                  <span className="jp-nbvc-node-label">{nameOf(cell)}</span>
                )}
                {cell.reads.length === 0 && cell.writes.length === 0 && (
                  <span className="jp-nbvc-node-note">no files</span>
                )}
                {!cell.success && (
                  <span className="jp-nbvc-badge" data-state="failed">
                    failed
                  </span>
                )}
              </div>
              <Accesses kind="reads" files={cell.reads} />
              <Accesses kind="writes" files={cell.writes} />
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

/** The notebook (served path) of the first cell that produced the artifact, if any. */
function producingNotebook(node: API.LineageNode): string | null {
  if (node.type === 'cell') {
    return node.notebook_path && !node.missing ? node.notebook_path : null;
  }
  for (const child of childrenOf(node)) {
    const found = producingNotebook(child);
    if (found) {
      return found;
    }
  }
  return null;
}

function childrenOf(node: API.LineageNode): API.LineageNode[] {
  return node.type === 'artifact' ? node.producers : node.inputs;
}

function LineageItem(props: {
  node: API.LineageNode;
  commands: CommandRegistry;
  depth: number;
}): React.ReactElement {
  const { node, commands, depth } = props;
  const children = childrenOf(node);
  return (
    <li
      role="treeitem"
      aria-level={depth}
      aria-expanded={children.length > 0 ? true : undefined}
      aria-selected={false}
      className="jp-nbvc-node"
      data-type={node.type}
    >
      <div className="jp-nbvc-node-line">
        <span className="jp-nbvc-node-kind">{kindLabel(node)}</span>
        <NodeBody node={node} commands={commands} />
        {node.repeated && (
          <span className="jp-nbvc-node-note">(shown above)</span>
        )}
      </div>
      {children.length > 0 && (
        <ul role="group">
          {children.map((child, index) => (
            <LineageItem
              key={index}
              node={child}
              commands={commands}
              depth={depth + 1}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

function kindLabel(node: API.LineageNode): string {
  if (node.type === 'artifact') {
    return node.producers.length > 0 || node.version ? 'data' : 'input';
  }
  return node.type;
}

function NodeBody(props: {
  node: API.LineageNode;
  commands: CommandRegistry;
}): React.ReactElement {
  const { node, commands } = props;
  switch (node.type) {
    case 'artifact':
      return (
        <span className="jp-nbvc-node-label" title={node.oid ?? ''}>
          {node.label}
          {node.in ? (
            <span className="jp-nbvc-node-note"> in {node.in}</span>
          ) : null}
          {node.note ? (
            <span className="jp-nbvc-node-note"> ({node.note})</span>
          ) : null}
        </span>
      );
    case 'cell': {
      const path = node.notebook_path ?? null;
      const when = node.started ? formatTime(node.started) : '';
      const via = node.via?.length ? ` via ${node.via.join(', ')}` : '';
      if (path === null || node.missing) {
        return (
          <span className="jp-nbvc-node-label">
            {node.label}
            {via}
          </span>
        );
      }
      // a link (it goes to the cell), inline so a long label wraps under the kind
      return (
        <a
          className="jp-nbvc-link"
          href="#"
          title={`Open ${path} at this cell${when ? ` (ran ${when})` : ''}`}
          onClick={event => {
            event.preventDefault();
            void commands.execute(CommandIDs.openCell, {
              path,
              cellId: node.cell_id ?? '',
              executionCount: node.execution_count ?? -1
            });
          }}
        >
          {node.label}
          {via}
        </a>
      );
    }
    case 'stage':
      return (
        <span className="jp-nbvc-node-label">
          {node.label}
          {node.run ? (
            <span className="jp-nbvc-node-note">
              {' '}
              run {node.run.slice(node.run.lastIndexOf('-') + 1)}
            </span>
          ) : null}
        </span>
      );
  }
}
