import { LabIcon } from '@jupyterlab/ui-components';

/** A small version graph: three commits on a branch. */
const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <circle cx="6" cy="5" r="2.5"/>
    <circle cx="6" cy="19" r="2.5"/>
    <circle cx="18" cy="9" r="2.5"/>
    <rect x="5" y="6" width="2" height="11"/>
    <path d="M7 15.5c5 0 10-1.5 10-5.5h2c0 5.5-6.5 7.5-12 7.5z"/>
  </g>
</svg>`;

export const nbvcIcon = new LabIcon({ name: 'nbvc:icon', svgstr });
