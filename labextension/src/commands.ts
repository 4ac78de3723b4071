import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  Notification
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { API } from './api';
import { CommandIDs } from './commandIds';
import { CONFLICT, RequestError, messageOf } from './http';
import { INbvcModel } from './tokens';
import { CompareWidget } from './widgets/compare';
import { NbvcPanel, TabName } from './widgets/panel';

export interface ICommandContext {
  app: JupyterFrontEnd;
  model: INbvcModel;
  panel: NbvcPanel;
  rendermime: IRenderMimeRegistry | null;
  docManager: IDocumentManager | null;
  browser: IDefaultFileBrowser | null;
  palette: ICommandPalette | null;
  themes: IThemeManager | null;
}

const CATEGORY = 'nbvc';
/** Selector of file-browser items (files and folders). */
const FILE_ITEM = '.jp-DirListing-item[data-isdir]';

function text(args: ReadonlyPartialJSONObject, name: string): string {
  const value = args[name];
  return typeof value === 'string' ? value : '';
}

function texts(args: ReadonlyPartialJSONObject, name: string): string[] {
  const value = args[name];
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/** Run `work`; show its error (the server's message) as a notification. */
async function notifying<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    Notification.error(messageOf(error), { autoClose: 8000 });
    return undefined;
  }
}

/** Register nbvc's commands, its palette items and its file-browser menu items. */
export function addCommands(context: ICommandContext): void {
  const { app, model, panel } = context;
  const { commands } = app;

  const show = (tab: TabName): void => {
    panel.showTab(tab);
    app.shell.activateById(panel.id);
  };
  const selectedPaths = (args: ReadonlyPartialJSONObject): string[] => {
    const given = texts(args, 'paths');
    if (given.length > 0 || text(args, 'path')) {
      return given.length > 0 ? given : [text(args, 'path')];
    }
    return context.browser
      ? Array.from(context.browser.selectedItems(), item => item.path)
      : [];
  };

  commands.addCommand(CommandIDs.openPanel, {
    label: 'Show nbvc Panel',
    execute: () => app.shell.activateById(panel.id)
  });
  const tabs: [string, TabName, string][] = [
    [CommandIDs.showArtifacts, 'artifacts', 'Show nbvc Artifacts'],
    [CommandIDs.showRuns, 'runs', 'Show nbvc Runs'],
    [CommandIDs.showModels, 'models', 'Show nbvc Models'],
    [CommandIDs.showLineage, 'lineage', 'Show nbvc Lineage'],
    [CommandIDs.showJobs, 'jobs', 'Show nbvc Jobs'],
    [CommandIDs.showExperiments, 'experiments', 'Show nbvc Experiments']
  ];
  for (const [id, tab, label] of tabs) {
    commands.addCommand(id, { label, execute: () => show(tab) });
  }
  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh nbvc',
    execute: () => notifying(() => model.refresh())
  });

  commands.addCommand(CommandIDs.version, {
    label: 'Version with nbvc',
    caption: 'Snapshot the selected files or folders as new nbvc versions',
    execute: args =>
      notifying(async () => {
        const paths = selectedPaths(args);
        const job = await model.version(paths, text(args, 'message'));
        Notification.info(`Versioning ${paths.join(', ')}…`, {
          autoClose: 3000
        });
        return job;
      })
  });

  commands.addCommand(CommandIDs.history, {
    label: 'Show nbvc History',
    caption: 'Show the versions of the selected file or folder',
    execute: args =>
      notifying(async () => {
        const [path] = selectedPaths(args);
        if (!path) {
          throw new Error('Select a file or folder to see its history.');
        }
        if (model.artifactOf(path) === null) {
          model.path = path.slice(0, Math.max(0, path.lastIndexOf('/')));
          await model.refresh();
        }
        const artifact = model.artifactOf(path);
        if (
          artifact === null ||
          !model.artifacts.all.some(a => a.path === artifact)
        ) {
          Notification.warning(
            `${path} is not versioned by nbvc yet; "Version with nbvc" starts its history.`,
            { autoClose: 8000 }
          );
          return;
        }
        model.artifacts.filter = '';
        model.artifacts.select(artifact);
        show('artifacts');
      })
  });

  addArtifactCommands(context, show);
  addRunCommands(context);
  addJobCommands(context, show);

  app.contextMenu.addItem({
    command: CommandIDs.version,
    selector: FILE_ITEM,
    rank: 60
  });
  app.contextMenu.addItem({
    command: CommandIDs.history,
    selector: FILE_ITEM,
    rank: 61
  });
  app.contextMenu.addItem({
    command: CommandIDs.notebookLineage,
    selector: '.jp-DirListing-item[data-file-type="notebook"]',
    args: { fromBrowser: true },
    rank: 62
  });
  for (const command of Object.values(CommandIDs)) {
    if (command !== CommandIDs.cancelJob && command !== CommandIDs.openCell) {
      context.palette?.addItem({ command, category: CATEGORY });
    }
  }
}

function addArtifactCommands(
  context: ICommandContext,
  show: (tab: TabName) => void
): void {
  const { app, model } = context;
  const { commands } = app;

  commands.addCommand(CommandIDs.checkout, {
    label: args =>
      text(args, 'ref') ? `Check out ${text(args, 'ref')}` : 'Check out',
    execute: async args => {
      const artifact = text(args, 'artifact');
      const ref = text(args, 'ref') || null;
      const force = args.force === true;
      try {
        const result = await model.artifacts.checkout(artifact, ref, force);
        Notification.success(
          result.changed
            ? `Restored ${result.path} to ${result.version}.`
            : `${result.path} already is ${result.version}.`,
          { autoClose: 4000 }
        );
        await model.refresh();
      } catch (error) {
        if (
          error instanceof RequestError &&
          error.status === CONFLICT &&
          !force
        ) {
          Notification.warning(error.message, {
            autoClose: false,
            actions: [
              {
                label: 'Discard changes and check out',
                displayType: 'warn',
                callback: () =>
                  void commands.execute(CommandIDs.checkout, {
                    artifact,
                    ref: ref ?? '',
                    force: true
                  })
              }
            ]
          });
        } else {
          Notification.error(messageOf(error), { autoClose: 8000 });
        }
      }
    }
  });

  commands.addCommand(CommandIDs.diff, {
    label: 'Diff Picked Versions',
    execute: args =>
      notifying(() => {
        const a = text(args, 'a');
        const b = text(args, 'b');
        return a && b
          ? model.artifacts.showDiff(a, b)
          : model.artifacts.showDiff();
      })
  });

  commands.addCommand(CommandIDs.lineage, {
    label: 'Show Lineage of the Selected Artifact',
    execute: args =>
      notifying(async () => {
        const artifact = text(args, 'artifact') || model.artifacts.selected;
        if (!artifact) {
          throw new Error('Select an artifact to see its lineage.');
        }
        show('lineage');
        await model.lineage.show(artifact, text(args, 'ref') || null);
      })
  });

  commands.addCommand(CommandIDs.notebookLineage, {
    label: 'Show Lineage of the Whole Notebook',
    caption:
      'Every cell of the notebook with the files it read and wrote (the open notebook, or the one given)',
    execute: args =>
      notifying(async () => {
        const path =
          text(args, 'path') ||
          (args.fromBrowser === true ? selectedNotebook(context) : '') ||
          openNotebook(context);
        if (!path) {
          throw new Error(
            'Open a notebook (or pick one in the file browser) to see its lineage.'
          );
        }
        const notebook = model.artifactOf(path);
        if (notebook === null) {
          throw new Error(`${path} is not inside the nbvc repo shown.`);
        }
        show('lineage');
        await model.lineage.showNotebook(notebook);
      })
  });

  commands.addCommand(CommandIDs.openCell, {
    label: 'Open the Notebook at a Cell',
    execute: args =>
      notifying(async () => {
        const docManager = context.docManager;
        if (!docManager) {
          throw new Error('Opening notebooks needs the document manager.');
        }
        const path = text(args, 'path');
        const widget = docManager.openOrReveal(path);
        if (!(widget instanceof NotebookPanel)) {
          return;
        }
        await widget.context.ready;
        await widget.revealed;
        const cellId = text(args, 'cellId');
        const count =
          typeof args.executionCount === 'number' ? args.executionCount : -1;
        const cells = widget.content.widgets;
        let index = cellId ? cells.findIndex(c => c.model.id === cellId) : -1;
        if (index < 0 && count >= 0) {
          index = cells.findIndex(
            c =>
              c.model.type === 'code' &&
              'executionCount' in c.model &&
              c.model.executionCount === count
          );
        }
        if (index < 0) {
          Notification.warning(
            `The cell is no longer in ${path}; it was edited or deleted since it ran.`,
            { autoClose: 6000 }
          );
          return;
        }
        widget.content.activeCellIndex = index;
        await widget.content.scrollToCell(cells[index], 'center');
      })
  });
}

/** The notebook picked in the file browser, if the command came from its menu. */
function selectedNotebook(context: ICommandContext): string {
  const items = context.browser
    ? Array.from(context.browser.selectedItems())
    : [];
  return items.length === 1 && items[0].type === 'notebook'
    ? items[0].path
    : '';
}

/** The notebook in the main area: the current one, else the first one open. */
function openNotebook(context: ICommandContext): string {
  const { shell } = context.app;
  if (shell.currentWidget instanceof NotebookPanel) {
    return shell.currentWidget.context.path;
  }
  for (const widget of shell.widgets('main')) {
    if (widget instanceof NotebookPanel) {
      return widget.context.path;
    }
  }
  return '';
}

function addRunCommands(context: ICommandContext): void {
  const { app, model } = context;
  app.commands.addCommand(CommandIDs.compareRuns, {
    label: 'Compare Selected Runs',
    isEnabled: args =>
      texts(args, 'ids').length > 1 || model.runs.selected.length > 1,
    execute: args =>
      notifying(async () => {
        const rendermime = context.rendermime;
        if (!rendermime) {
          throw new Error('Comparing runs needs the rendermime registry.');
        }
        const given = texts(args, 'ids');
        const comparison = model.runs.compare(
          given.length > 0 ? given : model.runs.selected
        );
        const widget = new CompareWidget(
          comparison,
          rendermime,
          context.themes?.themeChanged ?? null
        );
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      })
  });
}

function addJobCommands(
  context: ICommandContext,
  show: (tab: TabName) => void
): void {
  const { app, model } = context;
  const start = (request: API.JobRequest): Promise<API.IJob | undefined> =>
    notifying(async () => {
      const job = await model.jobs.start(request);
      show('jobs');
      return job;
    });
  app.commands.addCommand(CommandIDs.repro, {
    label: args =>
      args.force === true ? 'Repro All Stages' : 'Repro Pipeline',
    caption:
      'Run the pipeline stages whose inputs changed, as a background job',
    execute: args =>
      start({
        kind: 'repro',
        args: {
          path: model.path,
          force: args.force === true,
          targets: texts(args, 'targets')
        }
      })
  });
  app.commands.addCommand(CommandIDs.push, {
    label: 'Push to the Remote',
    execute: args =>
      start({
        kind: 'push',
        args: { path: model.path, remote: text(args, 'remote') || null }
      })
  });
  app.commands.addCommand(CommandIDs.pull, {
    label: 'Pull from the Remote',
    execute: args =>
      start({
        kind: 'pull',
        args: { path: model.path, remote: text(args, 'remote') || null }
      })
  });
  app.commands.addCommand(CommandIDs.cancelJob, {
    label: 'Cancel Job',
    execute: args => notifying(() => model.jobs.cancel(text(args, 'id')))
  });
  app.commands.addCommand(CommandIDs.cancelSweep, {
    label: 'Cancel Sweep',
    caption:
      'Stop a running sweep: queued points are not run, running ones are killed',
    execute: args =>
      notifying(() => model.experiments.cancel(text(args, 'sweep')))
  });
  app.commands.addCommand(CommandIDs.applyRun, {
    label: 'Apply Run to the Workspace',
    caption: 'Restore the params, deps and outs of a run (a background job)',
    execute: args =>
      notifying(async () => {
        const job = await model.experiments.apply(
          text(args, 'run'),
          args.force === true
        );
        show('jobs');
        return job;
      })
  });
}
