import type { SecretBox } from '../crypto/secret-box.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { AdapterModule } from './adapter.ts';

// A channel's adapter config is validated by the adapter module's configSchema as a whole, then split in two:
// the public part (channels.config, shown by the API) and the module's secretFields (channels.secrets, one
// AES-GCM sealed JSON object, never shown). Only the names of the secrets that are set are ever returned.
// A secret field may sit one level down (`smtp.pass`): the rest of its object stays public.

type ConfigObject = Record<string, unknown>;

/** What a channel row stores. */
export interface StoredConfig {
  config: ConfigObject;
  secrets: string | null;
}

/** Open the sealed secrets; a failure means the master key changed, which an operator must hear about. */
function openSecrets(box: SecretBox, sealed: string | null): ConfigObject {
  if (sealed === null) return {};
  try {
    return box.openJson<ConfigObject>(sealed);
  } catch (err) {
    throw new AppError('INTERNAL', 'Channel secrets cannot be decrypted: was SWITCHBOARD_SECRET changed?', undefined, { cause: err });
  }
}

/** Names of the secret fields a stored config has set (for the view's `secrets_set`). */
export function secretNames(box: SecretBox, stored: StoredConfig): string[] {
  return Object.keys(openSecrets(box, stored.secrets)).sort();
}

const isPlainObject = (v: unknown): v is ConfigObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at `a` or `a.b`. */
function getPath(o: ConfigObject, path: string): unknown {
  const [head, tail] = path.split('.', 2) as [string, string | undefined];
  if (tail === undefined) return o[head];
  const inner = o[head];
  return isPlainObject(inner) ? inner[tail] : undefined;
}

/** A copy of `o` with `a` or `a.b` set (undefined removes it). */
function setPath(o: ConfigObject, path: string, value: unknown): ConfigObject {
  const [head, tail] = path.split('.', 2) as [string, string | undefined];
  const next = { ...o };
  if (tail === undefined) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const inner = isPlainObject(next[head]) ? { ...(next[head] as ConfigObject) } : {};
  if (value === undefined) delete inner[tail];
  else inner[tail] = value;
  if (isPlainObject(next[head]) || value !== undefined) next[head] = inner;
  return next;
}

/** The stored secrets put back where the schema expects them. */
function withSecrets(config: ConfigObject, secrets: ConfigObject): ConfigObject {
  return Object.entries(secrets).reduce((acc, [path, value]) => setPath(acc, path, value), config);
}

/** The schema's verdict on a whole config; field errors point into the request's `config`. */
function validate(module: AdapterModule, full: ConfigObject): ConfigObject {
  const parsed = module.configSchema.safeParse(full);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: ['config', ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationError(`Invalid config for a ${module.kind} channel`, details);
}

/**
 * The config to store for a new channel (no `stored`) or a patched one. A patch merges into the stored config key
 * by key (null removes a key), so secrets need not be sent again; stored secrets are re-sealed only when the patch
 * gives a secret field.
 */
export function sealChannelConfig(
  module: AdapterModule,
  box: SecretBox,
  input: ConfigObject,
  stored?: StoredConfig,
): StoredConfig {
  const merged: ConfigObject = stored ? withSecrets(stored.config, openSecrets(box, stored.secrets)) : {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null) delete merged[key];
    // An object patches the stored object key by key (`{"smtp":{"host":…}}` keeps smtp.pass).
    else if (isPlainObject(value) && isPlainObject(merged[key])) merged[key] = dropNulls({ ...(merged[key] as ConfigObject), ...value });
    else merged[key] = value;
  }
  const valid = validate(module, merged);
  let config = valid;
  const secret: ConfigObject = {};
  for (const path of module.secretFields) {
    const value = getPath(valid, path);
    if (value !== undefined) secret[path] = value;
    config = setPath(config, path, undefined);
  }
  const secretsGiven = module.secretFields.some((path) => getPath(input, path) !== undefined);
  if (stored && !secretsGiven) return { config, secrets: stored.secrets };
  return { config, secrets: Object.keys(secret).length > 0 ? box.sealJson(secret) : null };
}

/** The whole config (secrets decrypted) as the adapter needs it, checked again: schemas may have changed. */
export function openChannelConfig(module: AdapterModule, box: SecretBox, stored: StoredConfig): ConfigObject {
  return validate(module, withSecrets(stored.config, openSecrets(box, stored.secrets)));
}

const dropNulls = (o: ConfigObject): ConfigObject => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
