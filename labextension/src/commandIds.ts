/** The ids of nbvc's commands (the palette, menus and the panel's buttons run these). */
export namespace CommandIDs {
  export const openPanel = 'nbvc:open-panel';
  export const refresh = 'nbvc:refresh';
  export const version = 'nbvc:version';
  export const history = 'nbvc:history';
  export const checkout = 'nbvc:checkout';
  export const diff = 'nbvc:diff';
  export const lineage = 'nbvc:lineage';
  export const notebookLineage = 'nbvc:notebook-lineage';
  export const openCell = 'nbvc:open-cell';
  export const compareRuns = 'nbvc:compare-runs';
  export const repro = 'nbvc:repro';
  export const push = 'nbvc:push';
  export const pull = 'nbvc:pull';
  export const cancelJob = 'nbvc:cancel-job';
  export const showArtifacts = 'nbvc:show-artifacts';
  export const showRuns = 'nbvc:show-runs';
  export const showModels = 'nbvc:show-models';
  export const showLineage = 'nbvc:show-lineage';
  export const showJobs = 'nbvc:show-jobs';
  export const showExperiments = 'nbvc:show-experiments';
  export const cancelSweep = 'nbvc:cancel-sweep';
  export const applyRun = 'nbvc:apply-run';
}
