// Placeholder while this page is being built (issue 11, slice 2): the route and the menu entry
// exist so that the pages can be built in parallel.
import { h } from './dom.js';

export function approvalsPage(main) {
  main.replaceChildren(h('h1', {}, 'Not built yet'), h('p', {}, 'This page is still being built.'));
}
