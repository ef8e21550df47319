// The admin area: a tab strip of sections and the section itself. K2's router calls render() for #/admin/<section>.
import { el } from './admin-ui.js';

/** @typedef {(root: HTMLElement, ctx: import('./app.js').ViewCtx) => Promise<void>} RenderSection */
/** @type {[key: string, title: string, load: () => Promise<RenderSection>][]} */
const SECTIONS = [
  ['channels', 'Channels', () => import('./admin-channels.js').then((m) => m.renderChannels)],
  ['agents', 'Agents', () => import('./admin-agents.js').then((m) => m.renderAgents)],
  ['teams', 'Teams', () => import('./admin-teams.js').then((m) => m.renderTeams)],
  ['knowledge', 'Knowledge', () => import('./admin-knowledge.js').then((m) => m.renderKnowledge)],
  ['canned', 'Canned responses', () => import('./admin-canned.js').then((m) => m.renderCanned)],
  ['actions', 'Actions', () => import('./admin-actions.js').then((m) => m.renderActions)],
  ['ai', 'AI', () => import('./admin-ai.js').then((m) => m.renderAi)],
  ['api-keys', 'API keys', () => import('./admin-keys.js').then((m) => m.renderApiKeys)],
  ['webhooks', 'Webhooks', () => import('./admin-webhooks.js').then((m) => m.renderWebhooks)],
  ['queues', 'System', () => import('./admin-queues.js').then((m) => m.renderQueues)],
];

function sectionFromHash() {
  const m = /^#\/admin\/([a-z-]+)/.exec(window.location.hash);
  return m ? m[1] : 'channels';
}

/** @param {HTMLElement} root @param {import('./app.js').ViewCtx} ctx */
export async function render(root, ctx) {
  const section = ctx.section || sectionFromHash();
  const entry = SECTIONS.find(([key]) => key === section) ?? SECTIONS[0];
  const content = el('div', { class: 'adm-content' });
  // The shell's left nav already links every section, so the page is just the section.
  root.replaceChildren(el('div', { class: 'adm' }, content));
  if (ctx.me?.agent && ctx.me.agent.role !== 'admin') {
    content.replaceChildren(el('div', { class: 'adm-empty' }, 'Only admins can change these settings.'));
    return;
  }
  content.replaceChildren(el('div', { class: 'adm-loading', role: 'status' }, 'Loading…'));
  try {
    const renderSection = await entry[2]();
    await renderSection(content, ctx);
  } catch (/** @type {any} */ err) {
    content.replaceChildren(el('div', { class: 'adm-notice adm-notice-error', role: 'alert' }, `Could not load ${entry[1]}: ${err?.message ?? err}`));
  }
}
