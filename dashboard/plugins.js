// Every plugin file the daemon looked at when it started (GET /api/plugins, in load order):
// name, kind, version, loaded or refused with the reason, and the JSON Schema of each tool's
// args or automation type's params, readable (a table) and raw.
import { api } from './api.js';
import { h, badge } from './dom.js';
import { schemaDetails } from './schema_view.js';

const KIND = { tool: 'tool', automation_type: 'automation type', '': 'unknown kind' };
const baseName = (file) => file.split('/').pop();

function pluginCard(p) {
  // A plugin refused before it could be read has no name: its file names it.
  const title = p.name || baseName(p.file);
  const what = p.kind === 'automation_type' ? 'Params' : 'Args';
  return h('li', { class: `card plugin plugin-${p.status}`, 'data-file': p.file, 'data-name': p.name },
    h('h2', {}, title, ' ', badge(p.status)),
    h('p', { class: 'plugin-facts' },
      [KIND[p.kind] ?? p.kind, p.version ? `version ${p.version}` : null, p.abi ? `ABI ${p.abi}` : null].filter(Boolean).join(' · ')),
    p.description ? h('p', {}, p.description) : null,
    h('p', { class: 'help' }, 'File: ', h('code', { class: 'path' }, p.file)),
    p.status === 'refused' ? h('p', { class: 'load-error' }, h('strong', {}, 'Refused: '), p.error || 'no reason given') : null,
    p.args_schema !== null && p.args_schema !== undefined ? schemaDetails(p.args_schema, `${what} of ${title}`) : null);
}

export async function pluginsPage(main) {
  const { plugins } = await api('GET', '/api/plugins');
  const refused = plugins.filter((p) => p.status === 'refused').length;
  main.replaceChildren(
    h('h1', {}, 'Plugins'),
    h('p', { id: 'plugin-count' }, `${plugins.length} plugin file${plugins.length === 1 ? '' : 's'} found at start: `,
      `${plugins.length - refused} loaded, ${refused} refused.`),
    h('p', { class: 'help' }, 'The daemon reads its plugin directories once, when it starts; restart it to load a new or fixed plugin. ',
      'Tools run args; automation types plan params into steps.'),
    plugins.length === 0 ? h('p', {}, 'No plugin files were found.')
      // Refused files first (what needs attention), each part in load order.
      : h('ul', { class: 'plugin-list' }, [...plugins.filter((p) => p.status !== 'loaded'),
                                           ...plugins.filter((p) => p.status === 'loaded')].map(pluginCard)));
}
