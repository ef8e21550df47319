import type { SecretBox } from '../crypto/secret-box.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { AdapterModule } from './adapter.ts';

// A channel's adapter config is validated by the adapter module's configSchema as a whole, then split in two:
// the public part (channels.config, shown by the API) and the module's secretFields (channels.secrets, one
// AES-GCM sealed JSON object, never shown). Only the names of the secrets that are set are ever returned.

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
  const merged: ConfigObject = stored ? { ...stored.config, ...openSecrets(box, stored.secrets) } : {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const valid = validate(module, merged);
  const isSecret = (key: string) => module.secretFields.includes(key);
  const config = Object.fromEntries(Object.entries(valid).filter(([k]) => !isSecret(k)));
  const secret = Object.fromEntries(Object.entries(valid).filter(([k, v]) => isSecret(k) && v !== undefined));
  const secretsGiven = Object.keys(input).some(isSecret);
  if (stored && !secretsGiven) return { config, secrets: stored.secrets };
  return { config, secrets: Object.keys(secret).length > 0 ? box.sealJson(secret) : null };
}

/** The whole config (secrets decrypted) as the adapter needs it, checked again: schemas may have changed. */
export function openChannelConfig(module: AdapterModule, box: SecretBox, stored: StoredConfig): ConfigObject {
  return validate(module, { ...stored.config, ...openSecrets(box, stored.secrets) });
}
