import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  Notification
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { API } from './api';
import { addCommands } from './commands';
import { NbvcModel } from './model/repo';
import { requestAPI } from './request';
import { INbvcModel } from './tokens';
import { NbvcPanel } from './widgets/panel';

export { INbvcModel, API, RepoState } from './tokens';
export { CommandIDs } from './commandIds';

/**
 * The nbvc side panel in the left area, following the folder open in the file browser, with
 * its commands (palette, file-browser menu) and job notifications.
 */
const plugin: JupyterFrontEndPlugin<INbvcModel> = {
  id: 'nbvc:plugin',
  description:
    'Side panel for nbvc: artifacts and versions, runs, lineage and background jobs.',
  autoStart: true,
  provides: INbvcModel,
  optional: [
    IDefaultFileBrowser,
    ILayoutRestorer,
    IRenderMimeRegistry,
    IDocumentManager,
    ICommandPalette,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null,
    themes: IThemeManager | null
  ): INbvcModel => {
    const model = new NbvcModel({ request: requestAPI });
    const panel = new NbvcPanel(model, app.commands);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    if (browser) {
      model.path = browser.model.path;
      browser.model.pathChanged.connect((_, change) => {
        model.path = change.newValue;
      });
    }
    addCommands({
      app,
      model,
      panel,
      rendermime,
      docManager,
      browser,
      palette,
      themes
    });
    model.jobs.finished.connect((_, job) => notifyFinished(job));
    return model;
  }
};

function notifyFinished(job: API.IJob): void {
  if (job.state === 'succeeded') {
    Notification.success(`nbvc ${job.kind} finished.`, { autoClose: 4000 });
  } else if (job.state === 'failed') {
    Notification.error(
      `nbvc ${job.kind} failed: ${job.error?.message ?? 'see the job log'}`,
      { autoClose: 10000 }
    );
  } else {
    Notification.info(`nbvc ${job.kind} was cancelled.`, { autoClose: 4000 });
  }
}

export default plugin;
