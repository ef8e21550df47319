import { ValidationError } from '../../errors.ts';
import type { ActionMethod } from '../../db/schema/index.ts';
import type { AddressPolicy } from '../../net/address-policy.ts';
import { assertOutboundUrl } from '../../net/url-check.ts';

// From an action and a call's validated parameters to the HTTP request. `{param}` in the URL template is replaced
// by the parameter, URL-encoded (so a value cannot add path segments or a query); the other parameters go in the
// query string of a GET or DELETE, or as the JSON body of a POST, PUT or PATCH, as an OpenAPI operation would take
// them. Parameters may fill the path and query only: the scheme, host and port are fixed by the admin, so neither
// the AI nor an agent can point a call (and the action's secret headers) somewhere else.

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;
const MARK = 'sbparam';

/** The `{param}` names a template uses, each once. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** A 400 on `url_template` unless it is an http(s) URL whose scheme, host and port hold no placeholder. */
export function checkUrlTemplate(policy: AddressPolicy, template: string): void {
  const fail = (message: string): never => {
    throw new ValidationError(`url_template: ${message}`, [{ path: 'url_template', message }]);
  };
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, MARK));
  } catch {
    return fail('not a URL (placeholders like {order_id} aside)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('must be an http or https URL');
  if (url.host.includes(MARK) || url.username || url.password) fail('parameters may fill the path and query only, never the host or credentials');
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) fail('placeholders are {name}: letters, digits and _');
  assertOutboundUrl(policy, url.href, 'url_template');
}

/** The origin (scheme, host, port) requests of a template go to: where its secret headers are sent. */
export const originOf = (template: string): string => new URL(template.replace(PLACEHOLDER, MARK)).origin;

export interface ActionRequest {
  method: ActionMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function buildRequest(
  action: { method: ActionMethod; urlTemplate: string },
  params: Record<string, unknown>,
  headers: Record<string, string>,
): ActionRequest {
  const used = new Set<string>();
  const filled = action.urlTemplate.replace(PLACEHOLDER, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') {
      throw new ValidationError(`The parameter ${name} is needed for the URL`, [{ path: `parameters.${name}`, message: 'Required (used in the URL)' }]);
    }
    used.add(name);
    return encodeURIComponent(asText(value));
  });
  const url = new URL(filled);
  const rest = Object.entries(params).filter(([name, v]) => !used.has(name) && v !== undefined);
  // Lower-cased, so an admin's `Accept` replaces ours instead of being joined to it.
  const own = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const base = { accept: 'application/json', 'user-agent': 'Switchboard-Actions/1', ...own };
  if (action.method === 'GET' || action.method === 'DELETE') {
    for (const [name, value] of rest) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, asText(item));
    }
    return { method: action.method, url: url.href, headers: base };
  }
  const body = JSON.stringify(Object.fromEntries(rest));
  return { method: action.method, url: url.href, headers: { ...base, 'content-type': 'application/json' }, body };
}
