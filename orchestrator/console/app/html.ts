/** preact's `h` through htm's tagged templates: components without a JSX compile step. */
import htm from 'htm';
import { h } from 'preact';

export const html = htm.bind(h);
