import type { AdapterModule } from '../src/domain/adapter.ts';
import type { ChannelKind } from '../src/domain/enums.ts';
import { apiAdapter } from './api/index.ts';
import { webAdapter } from './web/index.ts';

/**
 * Every channel kind maps to its adapter module. Kinds whose adapter has not landed yet are absent;
 * when all have, tighten this to `satisfies Record<ChannelKind, AdapterModule>`.
 */
export const adapterModules: Partial<Record<ChannelKind, AdapterModule>> = {
  api: apiAdapter,
  web: webAdapter as unknown as AdapterModule,
};

export function adapterFor(kind: ChannelKind): AdapterModule | undefined {
  return adapterModules[kind];
}
