import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { nbvcIcon } from './icon';
import { API, INbvcModel } from './tokens';

/**
 * The nbvc side panel: the repo of the folder open in the file browser and its tracked
 * artifacts, each with its state and latest version. It only renders the model.
 */
export class NbvcPanel extends Widget {
  constructor(readonly model: INbvcModel) {
    super();
    this.id = 'nbvc-panel';
    this.addClass('jp-nbvc-panel');
    this.title.icon = nbvcIcon;
    this.title.caption = 'nbvc';
    model.changed.connect(() => this.update(), this);
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected override onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    this.node.replaceChildren(this._header(), this._body());
  }

  private _header(): HTMLElement {
    const header = element('header', 'jp-nbvc-header');
    header.append(element('h2', 'jp-nbvc-title', 'nbvc'));
    const repo = this.model.repo;
    if (repo) {
      const where = repo.root === '' ? '/' : `/${repo.root}`;
      const summary = `${where} · ${repo.tracked} tracked${repo.git ? ' · git' : ''}`;
      header.append(element('div', 'jp-nbvc-repo', summary));
    }
    return header;
  }

  private _body(): HTMLElement {
    const model = this.model;
    switch (model.state) {
      case 'loading':
        return element('p', 'jp-nbvc-message', 'Loading…');
      case 'none':
      case 'error':
        return element(
          'p',
          `jp-nbvc-message jp-nbvc-${model.state}`,
          model.message
        );
      case 'ready':
        if (model.artifacts.length === 0) {
          return element(
            'p',
            'jp-nbvc-message',
            'Nothing tracked yet: `nbvc add PATH` (or %version_add) starts tracking a file or folder.'
          );
        }
        return artifactList(model.artifacts);
    }
  }
}

function artifactList(artifacts: readonly API.IArtifact[]): HTMLElement {
  const list = element('ul', 'jp-nbvc-artifacts');
  for (const artifact of artifacts) {
    const item = element('li', 'jp-nbvc-artifact');
    item.dataset.state = artifact.state;
    item.title = `${artifact.path} (${artifact.type}): ${artifact.state}`;
    item.append(
      element('span', 'jp-nbvc-path', artifact.path),
      element('span', 'jp-nbvc-version', versionLabel(artifact)),
      element('span', 'jp-nbvc-state', artifact.state)
    );
    list.append(item);
  }
  return list;
}

function versionLabel(artifact: API.IArtifact): string {
  const latest = artifact.latest;
  if (!latest) {
    return '–';
  }
  const tags = latest.tags.length > 0 ? ` (${latest.tags.join(', ')})` : '';
  return `${latest.version}${tags}`;
}

/** A new element with a class and, optionally, text (never parsed as HTML). */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
