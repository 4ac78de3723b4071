import { downloadIcon, fileUploadIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { API } from '../api';
import { CommandIDs } from '../commandIds';
import { isActive } from '../model/jobs';
import { IJobsModel } from '../tokens';
import { formatTime } from './format';

/** Jobs shown; older ones stay on the server until it forgets them. */
const SHOWN = 20;

export interface IJobsViewProps {
  model: IJobsModel;
  commands: CommandRegistry;
}

/** Start repro, push and pull; follow every job's progress, steps and log; cancel. */
export function JobsView(props: IJobsViewProps): React.ReactElement {
  const { model, commands } = props;
  const jobs = model.jobs.slice(0, SHOWN);
  return (
    <div className="jp-nbvc-view jp-nbvc-jobs-view">
      <div className="jp-nbvc-toolbar jp-nbvc-jobs-toolbar">
        <button
          className="jp-nbvc-button jp-mod-accept"
          title="Run the stages whose inputs changed"
          onClick={() => void commands.execute(CommandIDs.repro, {})}
        >
          Repro
        </button>
        <button
          className="jp-nbvc-button"
          title="Run every stage, even the up-to-date ones"
          onClick={() =>
            void commands.execute(CommandIDs.repro, { force: true })
          }
        >
          Repro all
        </button>
        {/* the remote's two verbs as icons, as JupyterLab's toolbars: one row at any width */}
        <span
          className="jp-nbvc-toolbar-group"
          role="group"
          aria-label="Remote"
        >
          <button
            className="jp-nbvc-button jp-nbvc-icon-button"
            aria-label="Push"
            title="Push: send tracked data and history to the default remote"
            onClick={() => void commands.execute(CommandIDs.push, {})}
          >
            <fileUploadIcon.react tag="span" elementSize="normal" />
          </button>
          <button
            className="jp-nbvc-button jp-nbvc-icon-button"
            aria-label="Pull"
            title="Pull: fetch from the default remote and check out what the pointer files say"
            onClick={() => void commands.execute(CommandIDs.pull, {})}
          >
            <downloadIcon.react tag="span" elementSize="normal" />
          </button>
        </span>
      </div>
      {jobs.length === 0 ? (
        <p className="jp-nbvc-message">No jobs yet.</p>
      ) : (
        <ol className="jp-nbvc-jobs" aria-label="Jobs, newest first">
          {jobs.map(job => (
            <JobCard key={job.id} job={job} commands={commands} />
          ))}
        </ol>
      )}
    </div>
  );
}

/**
 * How far a job is: a label a user can read (counts, percent, the server's message) over a
 * full-width bar, exposed as a progressbar to assistive technology.
 */
function JobProgress(props: {
  job: API.IJob;
  counted: string;
}): React.ReactElement {
  const { job, counted } = props;
  const progress = job.progress;
  const total = progress.total ?? 0;
  const known = total > 0;
  const percent = known
    ? Math.round((100 * Math.min(progress.done, total)) / total)
    : null;
  const parts = [
    counted,
    percent === null ? '' : `${percent}%`,
    progress.message
  ].filter(part => part !== '');
  const label = parts.join(' · ');
  return (
    <div className="jp-nbvc-job-progress">
      <span className="jp-nbvc-job-message" title={label}>
        {label || (isActive(job) ? 'Working…' : '')}
      </span>
      <div
        className="jp-nbvc-progress-track"
        role="progressbar"
        aria-label={`${job.kind} progress`}
        aria-valuemin={known ? 0 : undefined}
        aria-valuemax={known ? 100 : undefined}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={label || undefined}
        data-indeterminate={!known && isActive(job) ? true : undefined}
      >
        <div
          className="jp-nbvc-progress-fill"
          style={{ width: percent === null ? undefined : `${percent}%` }}
        />
      </div>
    </div>
  );
}

function JobCard(props: {
  job: API.IJob;
  commands: CommandRegistry;
}): React.ReactElement {
  const { job, commands } = props;
  const active = isActive(job);
  const progress = job.progress;
  const total = progress.total ?? 0;
  const counted =
    total > 0 ? `${progress.done}/${total} ${progress.unit}s` : '';
  return (
    <li
      className="jp-nbvc-job"
      data-state={job.state}
      aria-label={`${job.kind} job, ${job.state}`}
    >
      <div className="jp-nbvc-job-header">
        <span className="jp-nbvc-job-kind">{job.kind}</span>
        <span
          className="jp-nbvc-badge jp-nbvc-job-state"
          data-state={job.state}
        >
          {job.cancel_requested && active ? 'cancelling' : job.state}
        </span>
        <span className="jp-nbvc-job-time">{formatTime(job.created)}</span>
        {active && (
          <button
            className="jp-nbvc-button jp-mod-warn"
            disabled={job.cancel_requested}
            aria-label={`Cancel the ${job.kind} job`}
            onClick={() =>
              void commands.execute(CommandIDs.cancelJob, { id: job.id })
            }
          >
            Cancel
          </button>
        )}
      </div>
      <JobProgress job={job} counted={counted} />
      {progress.steps.length > 0 && (
        <ol className="jp-nbvc-steps" aria-label="Stages">
          {progress.steps.map(step => (
            <li key={step.name} data-state={step.state} title={step.detail}>
              <span className="jp-nbvc-step-name">{step.name}</span>
              <span className="jp-nbvc-badge" data-state={step.state}>
                {step.state}
              </span>
            </li>
          ))}
        </ol>
      )}
      {job.error && (
        <p className="jp-nbvc-job-error" role="alert">
          {job.error.message}
        </p>
      )}
      {job.log.length > 0 && (
        <details
          className="jp-nbvc-log"
          open={active || job.state === 'failed'}
        >
          <summary>
            Log ({job.log_lines} line{job.log_lines === 1 ? '' : 's'})
          </summary>
          <pre>{job.log.join('\n')}</pre>
        </details>
      )}
    </li>
  );
}
