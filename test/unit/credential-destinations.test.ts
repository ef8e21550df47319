import { describe, expect, it } from 'vitest';
import { channelRegistry } from '../../channels/registry.ts';
import { configJsonSchema } from '../../src/console/server/channel-kinds.ts';

// Every adapter module's credentialDestinations (src/domain/model/adapter.ts) against its own config schema: the fields
// it names exist, the secrets it names are secret fields, and no field that looks like an address (…url, …host)
// is left undeclared, so a new adapter cannot forget one. A field that only ever receives public values is
// listed here with the reason.

const CARRY_NO_SECRET: Record<string, string> = {
  // The browser is sent there with the public client_id; the client secret goes to api_base_url.
  'slack/authorize_url': 'OAuth authorize page',
};

const ADDRESS_LIKE = /(^|_)(url|host)$/;

/** Dotted paths of the properties of a JSON schema, two levels deep (config fields nest once: smtp.host). */
function fieldPaths(schema: Record<string, unknown>, prefix = ''): string[] {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(props).flatMap(([key, node]) => [`${prefix}${key}`, ...(prefix ? [] : fieldPaths(node, `${key}.`))]);
}

const modules = channelRegistry.allModules().map(({ module }) => module);

describe.each(modules.map((m) => [`${m.kind} (${m.providers[0]})`, m] as const))('%s', (_name, module) => {
  const fields = fieldPaths(configJsonSchema(module));

  it('declares destinations that are fields of its config, carrying secrets that are secret fields', () => {
    for (const [destination, secrets] of Object.entries(module.credentialDestinations)) {
      expect(fields).toContain(destination);
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(module.secretFields).toContain(secret);
    }
  });

  it('declares every field that names an address where credentials could be sent', () => {
    const addressLike = fields.filter((f) => ADDRESS_LIKE.test(f.split('.').at(-1)!));
    const undeclared = addressLike.filter((f) => !(f in module.credentialDestinations) && !(`${module.kind}/${f}` in CARRY_NO_SECRET));
    expect(undeclared).toEqual([]);
  });
});

it('the check sees the address fields there are (so it can fail)', () => {
  const all = modules.flatMap((m) => fieldPaths(configJsonSchema(m)).filter((f) => ADDRESS_LIKE.test(f.split('.').at(-1)!)));
  expect(all).toEqual(expect.arrayContaining(['api_base_url', 'smtp.host', 'imap.host', 'authorize_url']));
});
