import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { NbvcModel } from './model';
import { NbvcPanel } from './panel';
import { INbvcModel } from './tokens';

export { INbvcModel, API, RepoState } from './tokens';

/**
 * The nbvc side panel in the left area, following the folder open in the file browser.
 */
const plugin: JupyterFrontEndPlugin<INbvcModel> = {
  id: 'nbvc:plugin',
  description:
    'Side panel for nbvc: tracked artifacts, their state and versions.',
  autoStart: true,
  provides: INbvcModel,
  optional: [IDefaultFileBrowser, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null
  ): INbvcModel => {
    const model = new NbvcModel();
    const panel = new NbvcPanel(model);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    if (browser) {
      model.path = browser.model.path;
      browser.model.pathChanged.connect((_, change) => {
        model.path = change.newValue;
      });
    }
    return model;
  }
};

export default plugin;
