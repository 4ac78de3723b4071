import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { Panel, Widget } from '@lumino/widgets';

import { API } from '../api';
import { withLonePoints } from './plotspec';

/** The mime type JupyterLab's Vega-Lite renderer (vega5-extension) draws. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** Drawn as SVG: crisp at any zoom, and its text (values, axes) is text. */
const metadata = {
  [VEGALITE_MIME]: { embed_options: { renderer: 'svg' } }
};

/**
 * Vega-Lite plots drawn by JupyterLab's own renderer (the one notebooks use), so charts
 * follow the JupyterLab theme and need no charting library of ours.
 */
export class PlotsWidget extends Panel {
  constructor(private readonly _rendermime: IRenderMimeRegistry) {
    super();
    this.addClass('jp-nbvc-plots');
  }

  /** Replace the plots shown. */
  async setPlots(plots: readonly API.IPlot[]): Promise<void> {
    for (const widget of [...this.widgets]) {
      widget.dispose();
    }
    const renderers: Promise<void>[] = [];
    for (const plot of plots) {
      const box = new Panel();
      box.addClass('jp-nbvc-plot');
      box.node.setAttribute('aria-label', plot.title);
      box.node.dataset.plot = plot.id;
      // the spec is parsed JSON (the contract types it as an open object)
      const spec = withLonePoints(plot.spec as { [key: string]: unknown });
      const data = { [VEGALITE_MIME]: spec as ReadonlyJSONObject };
      const mime = this._rendermime.preferredMimeType(data, 'any');
      if (mime === undefined) {
        box.addWidget(
          message(`No Vega-Lite renderer is installed to draw ${plot.title}.`)
        );
      } else {
        const renderer: IRenderMime.IRenderer =
          this._rendermime.createRenderer(mime);
        box.addWidget(renderer);
        renderers.push(renderer.renderModel(new MimeModel({ data, metadata })));
      }
      this.addWidget(box);
    }
    await Promise.all(renderers);
  }
}

function message(text: string): Widget {
  const widget = new Widget();
  widget.addClass('jp-nbvc-message');
  widget.node.textContent = text;
  return widget;
}
