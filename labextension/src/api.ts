import { components, operations } from './openapi';

type Schemas = components['schemas'];
type JsonOf<R> = R extends { content: { 'application/json': infer T } }
  ? T
  : never;
/** The JSON answer of an operation (by its `operationId`) with status 200. */
type Answer<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: infer R;
}
  ? JsonOf<R>
  : never;

/**
 * Names for the REST API's requests and answers. Every type is taken from
 * `openapi.ts`, which `npm run build:api` generates from `src/nbvc/server/openapi.yaml` (the
 * contract, served at `/nbvc/api/openapi.json`): nothing here is written by hand, so the panel
 * cannot drift from the server unseen (`npm run check:api` fails when `openapi.ts` is stale,
 * and the model tests' fake server checks every request and answer against the same spec).
 */
export namespace API {
  export type ArtifactState = Schemas['ArtifactState'];
  export type IError = Schemas['Error'];
  export type IRepoInfo = Schemas['RepoInfo'];
  export type IVersion = Schemas['Version'];
  export type IArtifact = Schemas['Artifact'];
  export type IArtifactList = Schemas['ArtifactList'];
  export type IDeclaredArtifact = Schemas['DeclaredArtifact'];
  export type IArtifactUsage = Schemas['ArtifactUsage'];
  export type IUsage = Schemas['Usage'];
  export type IVersionList = Answer<'listVersions'>;
  export type IDiff = Schemas['Diff'];
  export type ICheckoutRequest = Schemas['CheckoutRequest'];
  export type ICheckoutResult = Schemas['CheckoutResult'];
  export type IAddRequest = Schemas['AddRequest'];
  export type IAddResult = Schemas['AddResult'];
  export type IChanges = Answer<'getChanges'>;

  // -- runs ---------------------------------------------------------------------------------
  export type ValuesByFile = Schemas['ValuesByFile'];
  export type RunStatus = Schemas['RunStatus'];
  export type IRunSummary = Schemas['RunSummary'];
  export type IRunKey = Schemas['RunKey'];
  export type RunSortBy = NonNullable<
    NonNullable<operations['listRuns']['parameters']['query']>['sort']
  >;
  export type IRunList = Schemas['RunList'];
  export type IRun = Schemas['Run'];
  export type IValues = Schemas['Values'];
  export type IValuesDiff = Schemas['ValuesDiff'];
  export type IValueChange = IValuesDiff['changes'][number];
  export type IPlotList = Schemas['PlotList'];
  export type IPlot = IPlotList['plots'][number];

  export type IRunArtifact = Schemas['RunArtifact'];

  // -- models -------------------------------------------------------------------------------
  export type IModelVersion = Schemas['ModelVersion'];
  export type IModelList = Answer<'listModels'>;
  // -- experiments --------------------------------------------------------------------------
  export type ISweepSummary = Schemas['SweepSummary'];
  export type ISweepList = Schemas['SweepList'];
  export type ISweepTable = Schemas['SweepTable'];
  export type IExpRow = Schemas['ExpRow'];
  export type IExpRunArgs = Schemas['ExpRunArgs'];
  export type IApplyResult = Schemas['ApplyResult'];
  export type ICancelled = JsonOf<
    operations['cancelExperiment']['responses'][202]
  >;

  // -- lineage ------------------------------------------------------------------------------
  export type LineageNode = Schemas['LineageNode'];
  export type ILineage = Answer<'getLineage'>;
  export type IFileAccess = Schemas['FileAccess'];
  export type INotebookLineage = Schemas['NotebookLineage'];

  // -- jobs ---------------------------------------------------------------------------------
  export type JobState = Schemas['JobState'];
  export type IJob = Schemas['Job'];
  export type JobKind = IJob['kind'];
  export type IJobList = Answer<'listJobs'>;
  export type IReproArgs = Schemas['ReproArgs'];
  export type ITransferArgs = Schemas['TransferArgs'];
  export type IPullArgs = Schemas['PullArgs'];
  export type JobRequest = Schemas['JobRequest'];
}
