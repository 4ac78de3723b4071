import { PageConfig } from '@jupyterlab/coreutils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import { Panel, TabPanel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { nbvcIcon } from '../icon';
import { INbvcModel } from '../tokens';
import { ArtifactsView } from './artifacts';
import { ExperimentsView } from './experiments';
import { JobsView } from './jobs';
import { LineageView } from './lineage';
import { ModelsView } from './models';
import { RunsView } from './runs';

export type TabName =
  'artifacts' | 'runs' | 'experiments' | 'models' | 'lineage' | 'jobs';

/** A tab's horizontal padding and border (px), beside its label. */
const TAB_PADDING = 14;
const TWO_ROWS = 'jp-nbvc-mod-two-rows';

const TABS: TabName[] = [
  'artifacts',
  'runs',
  'experiments',
  'models',
  'lineage',
  'jobs'
];

/**
 * The nbvc side panel: the repo of the folder open in the file browser, in six tabs
 * (Artifacts, Runs, Experiments, Models, Lineage, Jobs). It only renders the model; buttons run commands.
 */
export class NbvcPanel extends Panel {
  constructor(
    readonly model: INbvcModel,
    commands: CommandRegistry
  ) {
    super();
    this.id = 'nbvc-panel';
    this.addClass('jp-nbvc-panel');
    this.title.icon = nbvcIcon;
    this.title.caption = 'nbvc: versions, runs, lineage and jobs';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'nbvc');
    this._tabs = new TabPanel({ tabPlacement: 'top' });
    this._tabs.addClass('jp-nbvc-tabs');
    const views: Record<TabName, Widget> = {
      artifacts: new ModelView(model, [model.artifacts.changed], () => (
        <ArtifactsView model={model.artifacts} commands={commands} />
      )),
      runs: new ModelView(model, [model.runs.changed], () => (
        <RunsView
          model={model.runs}
          commands={commands}
          repo={`${PageConfig.getBaseUrl()}${model.repo?.root ?? ''}`}
        />
      )),
      experiments: new ModelView(model, [model.experiments.changed], () => (
        <ExperimentsView model={model.experiments} commands={commands} />
      )),
      models: new ModelView(model, [model.models.changed], () => (
        <ModelsView model={model.models} />
      )),
      lineage: new ModelView(
        model,
        [model.lineage.changed],
        () => <LineageView model={model.lineage} commands={commands} />,
        true
      ),
      jobs: new ModelView(
        model,
        [model.jobs.changed],
        () => <JobsView model={model.jobs} commands={commands} />,
        true
      )
    };
    for (const name of TABS) {
      const view = views[name];
      view.id = `nbvc-${name}`;
      view.title.label = name[0].toUpperCase() + name.slice(1);
      view.addClass(`jp-nbvc-tab-${name}`);
      this._tabs.addWidget(view);
    }
    this.addWidget(new Header(model));
    this.addWidget(this._tabs);
  }

  get currentTab(): TabName {
    return TABS[this._tabs.currentIndex] ?? 'artifacts';
  }

  showTab(name: TabName): void {
    this._tabs.currentIndex = TABS.indexOf(name);
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fitTabs();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fitTabs();
  }

  /**
   * Every tab label whole: one row when they all fit, else two rows (the panel's default
   * width is too narrow for six labels on one line).
   */
  private _fitTabs(): void {
    const bar = this._tabs.tabBar;
    const width = bar.node.clientWidth;
    if (width === 0) {
      return;
    }
    const needed = [...bar.contentNode.children].reduce((sum, tab) => {
      const label = tab.querySelector('.lm-TabBar-tabLabel');
      return sum + (label?.scrollWidth ?? 0) + TAB_PADDING;
    }, 0);
    const twoRows = needed > width;
    if (twoRows !== this._tabs.hasClass(TWO_ROWS)) {
      this._tabs.toggleClass(TWO_ROWS, twoRows);
      this._tabs.fit(); // the tab bar's height comes from its CSS min/max height
    }
  }

  private readonly _tabs: TabPanel;
}

/** The repo shown: where it is, how many artifacts it tracks; or why there is none. */
class Header extends ReactWidget {
  constructor(private readonly _model: INbvcModel) {
    super();
    this.addClass('jp-nbvc-header');
    _model.changed.connect(() => this.update(), this);
  }

  protected render(): React.ReactElement {
    const repo = this._model.repo;
    let summary = '';
    if (repo) {
      const where = repo.root === '' ? '/' : `/${repo.root}`;
      summary = `${where} · ${repo.tracked} tracked${repo.git ? ' · git' : ''}`;
    }
    return (
      <>
        <h2 className="jp-nbvc-title">nbvc</h2>
        <div className="jp-nbvc-repo" title={summary}>
          {summary || '\u00a0'}
        </div>
      </>
    );
  }
}

/**
 * One tab: renders when shown and when its part-model (or the repo) changes. Until a repo is
 * found it says why there is none, unless `always` (lineage and jobs keep their content).
 */
class ModelView extends ReactWidget {
  constructor(
    private readonly _model: INbvcModel,
    signals: ISignal<unknown, unknown>[],
    private readonly _content: () => React.ReactElement,
    private readonly _always = false
  ) {
    super();
    this.addClass('jp-nbvc-tab');
    for (const signal of [_model.changed, ...signals]) {
      signal.connect(this._onChanged, this);
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected render(): React.ReactElement {
    const model = this._model;
    if (model.state === 'ready' || this._always) {
      return this._content();
    }
    const text =
      model.state === 'loading' ? 'Looking for an nbvc repo…' : model.message;
    return (
      <p className={`jp-nbvc-message jp-nbvc-${model.state}`} role="status">
        {text}
      </p>
    );
  }

  private _onChanged(): void {
    if (this.isVisible) {
      this.update();
    }
  }
}
