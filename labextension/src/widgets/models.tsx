import * as React from 'react';

import { API } from '../api';
import { IModelsModel } from '../tokens';
import { formatSize, formatTime } from './format';

export interface IModelsViewProps {
  model: IModelsModel;
}

/**
 * The model registry: each model with its versions (newest first), their aliases, flavour,
 * size and the run that logged them; a version's run opens to list that run's artifacts.
 */
export function ModelsView(props: IModelsViewProps): React.ReactElement {
  const { model } = props;
  if (model.state === 'error') {
    return (
      <div className="jp-nbvc-view jp-nbvc-models-view">
        <p className="jp-nbvc-message jp-nbvc-error">{model.message}</p>
      </div>
    );
  }
  if (model.versions.length === 0) {
    return (
      <div className="jp-nbvc-view jp-nbvc-models-view">
        <p className="jp-nbvc-message">
          {model.state === 'loading'
            ? 'Loading models…'
            : 'No models yet: nbvc.log_model(model, "name") registers one, ' +
              'and nbvc.autolog() logs every scikit-learn fit.'}
        </p>
      </div>
    );
  }
  const byName = new Map<string, API.IModelVersion[]>();
  for (const version of model.versions) {
    byName.set(version.name, [...(byName.get(version.name) ?? []), version]);
  }
  return (
    <div className="jp-nbvc-view jp-nbvc-models-view">
      {[...byName.entries()].map(([name, versions]) => (
        <section
          className="jp-nbvc-model"
          key={name}
          aria-label={`Model ${name}`}
        >
          <h3 className="jp-nbvc-model-name">{name}</h3>
          <table className="jp-nbvc-models-table">
            <thead>
              <tr>
                <th>version</th>
                <th>aliases</th>
                <th>flavour</th>
                <th>size</th>
                <th>logged</th>
                <th>run</th>
              </tr>
            </thead>
            <tbody>
              {[...versions].reverse().map(version => (
                <VersionRow
                  key={version.id || version.version}
                  version={version}
                  model={model}
                />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {model.run ? <RunArtifacts run={model.run} model={model} /> : null}
    </div>
  );
}

function VersionRow(props: {
  version: API.IModelVersion;
  model: IModelsModel;
}): React.ReactElement {
  const { version, model } = props;
  const runId = version.run;
  return (
    <tr className="jp-nbvc-model-version">
      <td className="jp-nbvc-model-version-name">v{version.version}</td>
      <td>
        {version.aliases.map(alias => (
          <span className="jp-nbvc-badge jp-nbvc-alias" key={alias}>
            @{alias}
          </span>
        ))}
      </td>
      <td>{version.flavour}</td>
      <td>{formatSize(version.size)}</td>
      <td>{formatTime(version.created)}</td>
      <td>
        {runId ? (
          <button
            className="jp-nbvc-link jp-nbvc-model-run"
            aria-expanded={model.run?.id === runId}
            title="Show the artifacts of the run that logged this version"
            onClick={() => void model.showRun(runId)}
          >
            {runId.slice(runId.lastIndexOf('-') + 1)}
          </button>
        ) : (
          (version.path ?? '-')
        )}
      </td>
    </tr>
  );
}

function RunArtifacts(props: {
  run: API.IRun;
  model: IModelsModel;
}): React.ReactElement {
  const { run, model } = props;
  const title = `Run ${run.name ?? run.short_id}`;
  return (
    <section
      className="jp-nbvc-run-artifacts"
      aria-label={`Artifacts of ${title}`}
    >
      <h3>
        {title} <span className="jp-nbvc-dim">({run.short_id})</span>
      </h3>
      {run.artifacts.length === 0 ? (
        <p className="jp-nbvc-message">This run logged no files.</p>
      ) : (
        <ul className="jp-nbvc-artifact-list">
          {run.artifacts.map(artifact => (
            <li
              className="jp-nbvc-run-artifact"
              key={`${artifact.name}@${artifact.step ?? ''}`}
            >
              <ArtifactName
                name={artifact.name}
                url={model.artifactUrl(artifact)}
              />{' '}
              <span className="jp-nbvc-dim">
                {artifact.kind}
                {artifact.step !== undefined
                  ? ` · step ${artifact.step}`
                  : ''}{' '}
                · {formatSize(artifact.size)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A logged file's name, linked to its download; a folder's name, plain. */
function ArtifactName(props: {
  name: string;
  url: string | null;
}): React.ReactElement {
  const { name, url } = props;
  if (url === null) {
    return <span className="jp-nbvc-path">{name}</span>;
  }
  return (
    <a
      className="jp-nbvc-path jp-nbvc-artifact-download"
      href={url}
      download={name.slice(name.lastIndexOf('/') + 1)}
      title={`Download ${name}`}
    >
      {name}
    </a>
  );
}
