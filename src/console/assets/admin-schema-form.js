// A form derived from an adapter's config JSON Schema (z.toJSONSchema, io 'input'): strings, numbers, booleans,
// enums, string arrays as comma lists and objects one level down; anything richer is edited as JSON. Secret fields
// are password inputs that are only sent when typed, so editing a channel never echoes or clears a stored secret.
import { el, uid } from './admin-ui.js';

const ACRONYMS = { url: 'URL', api: 'API', sid: 'SID', id: 'ID', smtp: 'SMTP', imap: 'IMAP', dkim: 'DKIM', ai: 'AI', tls: 'TLS', ms: '(ms)', sip: 'SIP' };

/** `api_base_url` → "API base URL". */
export function humanize(key) {
  const words = key.split('_').map((w) => ACRONYMS[w] ?? w);
  const first = words[0];
  words[0] = first === first.toUpperCase() ? first : first[0].toUpperCase() + first.slice(1);
  return words.join(' ');
}

const isStringArray = (s) => s.type === 'array' && s.items && s.items.type === 'string' && !s.items.enum;
const isPlainObject = (s) => s.type === 'object' && s.properties && (s.additionalProperties === false || s.additionalProperties === undefined);
const has = (v) => v !== undefined && v !== null;

/**
 * Builds the fields. `values` is the stored (public) config, `secretFields` the dotted secret paths,
 * `secretsSet` those that are stored. Returns { node, collect() } where collect gives the config to send
 * (for an edit: only what changed; null removes a cleared key).
 */
export function schemaForm(schema, { values = {}, secretFields = [], secretsSet = [], editing = false } = {}) {
  const readers = [];
  const node = el('div', { class: 'adm-schema' });
  const props = schema?.properties ?? {};
  if (Object.keys(props).length === 0) node.append(el('p', { class: 'adm-help' }, 'This channel type needs no configuration.'));
  for (const [key, sub] of Object.entries(props)) {
    const required = (schema.required ?? []).includes(key);
    if (isPlainObject(sub) && Object.values(sub.properties).some((p) => !isPlainObject(p))) {
      const nested = [];
      const set = el('fieldset', { class: 'adm-fieldset' }, el('legend', {}, humanize(key)));
      for (const [k2, s2] of Object.entries(sub.properties)) {
        const f = leaf(`${key}.${k2}`, k2, s2, (sub.required ?? []).includes(k2), values?.[key]?.[k2]);
        set.append(f.row);
        nested.push([k2, f]);
      }
      node.append(set);
      readers.push([key, () => {
        const out = {};
        for (const [k2, f] of nested) {
          const v = f.read();
          if (v !== undefined) out[k2] = v;
        }
        return Object.keys(out).length > 0 ? out : undefined;
      }]);
      continue;
    }
    const f = leaf(key, key, sub, required, values?.[key]);
    node.append(f.row);
    readers.push([key, f.read]);
  }

  function leaf(path, key, s, required, stored) {
    const id = uid('cfg');
    const secret = secretFields.includes(path);
    const label = el('label', { for: id }, humanize(key), required ? el('span', { class: 'adm-req', 'aria-hidden': 'true' }, ' *') : null);
    const hints = [];
    if (s.description) hints.push(s.description);
    let control;
    let read;
    if (secret) {
      const isSet = secretsSet.includes(path);
      control = el('input', { id, type: 'password', class: 'adm-input', autocomplete: 'new-password', 'aria-required': required && !isSet ? 'true' : undefined,
        placeholder: isSet ? 'set — leave blank to keep' : '' });
      hints.unshift(isSet ? 'Secret: set. Type a new value to replace it.' : 'Secret: stored encrypted, never shown again.');
      read = () => (control.value === '' ? undefined : control.value);
      return { row: row(label, control, hints, isSet ? el('span', { class: 'adm-badge adm-badge-ok' }, 'set') : null), read };
    }
    if (s.type === 'boolean') {
      const effective = has(stored) ? stored : (s.default ?? false);
      control = el('input', { id, type: 'checkbox', class: 'adm-check', checked: effective });
      read = () => (control.checked === effective ? undefined : control.checked);
      return { row: el('div', { class: 'adm-field adm-field-check' }, control, label, hints.length ? el('small', { class: 'adm-hint' }, hints.join(' ')) : null), read };
    }
    if (s.enum) {
      const opts = [required ? null : el('option', { value: '' }, has(s.default) ? `Default (${s.default})` : '—'),
        ...s.enum.map((v) => el('option', { value: String(v) }, String(v)))];
      control = el('select', { id, class: 'adm-input' }, ...opts);
      control.value = has(stored) ? String(stored) : required ? String(s.enum[0]) : '';
      read = () => diff(control.value === '' ? undefined : control.value, stored);
    } else if (s.type === 'string' || s.type === 'integer' || s.type === 'number') {
      const numeric = s.type !== 'string';
      const type = numeric ? 'number' : s.format === 'email' ? 'email' : s.format === 'uri' ? 'url' : 'text';
      const long = !numeric && (s.maxLength ?? 0) > 300;
      control = long
        ? el('textarea', { id, class: 'adm-input', rows: 3, value: has(stored) ? String(stored) : '' })
        : el('input', { id, type, class: 'adm-input', value: has(stored) ? String(stored) : '', step: s.type === 'number' ? 'any' : undefined });
      if (has(s.default)) control.placeholder = String(s.default);
      if (s.pattern && !numeric && s.format === undefined) hints.push(patternHint(s.pattern));
      read = () => {
        const raw = control.value.trim();
        return diff(raw === '' ? undefined : numeric ? Number(raw) : raw, stored);
      };
    } else if (isStringArray(s)) {
      control = el('input', { id, type: 'text', class: 'adm-input', value: Array.isArray(stored) ? stored.join(', ') : '' });
      if (Array.isArray(s.default)) control.placeholder = s.default.join(', ');
      hints.push('Comma-separated list.');
      read = () => {
        const list = control.value.split(',').map((x) => x.trim()).filter(Boolean);
        const same = Array.isArray(stored) && stored.join('\n') === list.join('\n');
        return same ? undefined : list.length === 0 ? (has(stored) ? null : undefined) : list;
      };
    } else {
      control = el('textarea', { id, class: 'adm-input adm-mono', rows: 4, value: has(stored) ? JSON.stringify(stored, null, 2) : '' });
      hints.push('JSON.');
      read = () => {
        const raw = control.value.trim();
        if (raw === '') return has(stored) ? null : undefined;
        let parsed;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new Error(`${humanize(key)}: not valid JSON`);
        }
        return JSON.stringify(parsed) === JSON.stringify(stored) ? undefined : parsed;
      };
    }
    if (required) control.setAttribute('aria-required', 'true');
    return { row: row(label, control, hints), read };
  }

  // For an edit only changes are sent; a cleared field that was stored becomes null (removes the key).
  function diff(value, stored) {
    if (!editing) return value;
    if (value === undefined) return has(stored) ? null : undefined;
    return value === stored ? undefined : value;
  }

  function collect() {
    const out = {};
    for (const [key, read] of readers) {
      const v = read();
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return { node, collect };
}

/** @param {import('./dom.js').Child} label @param {HTMLElement} control @param {string[]} hints @param {import('./dom.js').Child} [extra] */
function row(label, control, hints, extra = null) {
  return el('div', { class: 'adm-field' }, label, el('div', { class: 'adm-field-control' }, control, extra),
    hints.some(Boolean) ? el('small', { class: 'adm-hint' }, hints.filter(Boolean).join(' ')) : null);
}

/** A readable hint for the patterns adapters use (Twilio SIDs, E.164), the raw pattern for short others. */
function patternHint(pattern) {
  const sid = /^\^\(?([A-Za-z]+)\)?\[0-9a-fA-F\]\{(\d+)\}\$$/.exec(pattern);
  if (sid) return `Starts with ${sid[1]}, then ${sid[2]} hex characters.`;
  if (pattern.includes('\\+[1-9]')) return 'A phone number in E.164 format, e.g. +14155550123.';
  return pattern.length <= 40 ? `Format: ${pattern}` : '';
}
