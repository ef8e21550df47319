import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError, type FieldError, ValidationError } from '../../errors.ts';
import type { AdapterModule } from '../model/adapter.ts';

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
  const current: ConfigObject = stored ? withSecrets(stored.config, openSecrets(box, stored.secrets)) : {};
  const merged: ConfigObject = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (value === null) delete merged[key];
    // An object patches the stored object key by key (`{"smtp":{"host":…}}` keeps smtp.pass).
    else if (isPlainObject(value) && isPlainObject(merged[key])) merged[key] = dropNulls({ ...(merged[key] as ConfigObject), ...value });
    else merged[key] = value;
  }
  const valid = validate(module, merged);
  if (stored) requireSecretsForNewDestinations(module, current, valid, input);
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

/**
 * A patch that changes where credentials are sent (the module's credentialDestinations: a base URL, a mail host)
 * must give the secrets sent there again, else the stored ones would go to the new place: whoever could edit the
 * channel (a stolen admin session, say) could collect them on a host of their own. Secrets the patch removes (null)
 * need nothing. The stored config is compared with its defaults applied, as the patched one is.
 */
function requireSecretsForNewDestinations(module: AdapterModule, current: ConfigObject, after: ConfigObject, input: ConfigObject): void {
  const previous = module.configSchema.safeParse(current);
  const before = previous.success ? previous.data : current;
  const details: FieldError[] = [];
  for (const [destination, secrets] of Object.entries(module.credentialDestinations)) {
    if (JSON.stringify(getPath(before, destination)) === JSON.stringify(getPath(after, destination))) continue;
    for (const secret of secrets) {
      if (getPath(after, secret) === undefined || getPath(input, secret) !== undefined) continue;
      if (details.some((d) => d.path === `config.${secret}`)) continue;
      details.push({ path: `config.${secret}`, message: `Required again: config.${destination} changed, and the stored value would be sent there` });
    }
  }
  if (details.length === 0) return;
  const fields = details.map((d) => d.path).join(', ');
  throw new ValidationError(
    `This change sends the channel's credentials somewhere new: give ${fields} again in the same request (or null to remove it)`,
    details,
  );
}

/** The whole config (secrets decrypted) as the adapter needs it, checked again: schemas may have changed. */
export function openChannelConfig(module: AdapterModule, box: SecretBox, stored: StoredConfig): ConfigObject {
  return validate(module, withSecrets(stored.config, openSecrets(box, stored.secrets)));
}

const dropNulls = (o: ConfigObject): ConfigObject => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
