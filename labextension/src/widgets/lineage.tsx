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

/** The lineage tree of the artifact chosen in the Artifacts view (or by a command). */
export function LineageView(props: ILineageViewProps): React.ReactElement {
  const { model, commands } = props;
  if (model.artifact === null) {
    return (
      <div className="jp-nbvc-view jp-nbvc-lineage-view">
        <p className="jp-nbvc-message">
          Choose an artifact (Artifacts, then Lineage) to see the notebook cells
          or pipeline stages that produced it, and their inputs.
        </p>
      </div>
    );
  }
  const title = model.ref ? `${model.artifact}@${model.ref}` : model.artifact;
  return (
    <div className="jp-nbvc-view jp-nbvc-lineage-view">
      <div className="jp-nbvc-toolbar">
        <span className="jp-nbvc-lineage-title" title={title}>
          {title}
        </span>
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
      return (
        <button
          className="jp-nbvc-link"
          title={`Open ${path} at this cell${when ? ` (ran ${when})` : ''}`}
          onClick={() =>
            void commands.execute(CommandIDs.openCell, {
              path,
              cellId: node.cell_id ?? '',
              executionCount: node.execution_count ?? -1
            })
          }
        >
          {node.label}
          {via}
        </button>
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
