import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AdapterModule } from '../../domain/model/adapter.ts';
import type { ChannelRegistry } from '../../domain/channels/registry.ts';
import type { ChannelKind } from '../../domain/model/enums.ts';
import type { AppEnv } from '../../http/env.ts';
import { newRouter } from '../../http/router.ts';

// GET /console/api/channel-kinds: what the console needs to draw a "new channel" form for every kind and provider,
// straight from the adapter modules, so a new adapter gets its form without console changes.

export interface ChannelKindView {
  type: ChannelKind;
  provider: string;
  label: string;
  json_schema: Record<string, unknown>;
  secret_fields: string[];
  webhook_paths: Record<string, string>;
}

export function channelKinds(registry: ChannelRegistry): ChannelKindView[] {
  return registry.allModules().flatMap(({ kind, module }) =>
    module.providers.map((provider) => ({
      type: kind,
      provider,
      label: module.label,
      json_schema: configJsonSchema(module),
      secret_fields: [...module.secretFields],
      webhook_paths: { ...module.webhookPaths },
    })),
  );
}

/** The config schema as a form sees it (input side: defaults optional), secret fields marked writeOnly. */
export function configJsonSchema(module: AdapterModule): Record<string, unknown> {
  const schema = z.toJSONSchema(module.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  for (const path of module.secretFields) {
    const node = path.split('.').reduce<Record<string, unknown> | undefined>((at, key) => propertyOf(at, key), schema);
    if (node) node.writeOnly = true;
  }
  return schema;
}

function propertyOf(node: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
  return props?.[key];
}

export function channelKindRoutes(registry: ChannelRegistry, admins: MiddlewareHandler<AppEnv>) {
  const app = newRouter();
  const kinds = channelKinds(registry);
  app.get('/console/api/channel-kinds', admins, (c) => c.json(kinds, 200));
  return app;
}
