import type { AdapterModule } from '../model/adapter.ts';
import type { ChannelServer } from '../model/channel-server.ts';
import type { ChannelKind } from '../model/enums.ts';

// The channels this installation has, handed to core (Deps.channels) rather than imported by it: core asks the
// registry for a kind's adapter module or server half and never names a channel itself (docs/architecture.md).
// channels/registry.ts builds the one instance.

export class ChannelRegistry {
  constructor(
    private readonly modules: Readonly<Record<ChannelKind, readonly AdapterModule[]>>,
    readonly servers: readonly ChannelServer[],
  ) {}

  /** The module for a kind and provider (default: the kind's default provider, its first module's first). */
  adapterFor(kind: ChannelKind, provider?: string): AdapterModule | undefined {
    const modules = this.modules[kind] ?? [];
    if (provider === undefined) return modules[0];
    return modules.find((m) => m.providers.includes(provider));
  }

  /** Every provider a kind can use, default first. */
  providersFor(kind: ChannelKind): string[] {
    return (this.modules[kind] ?? []).flatMap((m) => [...m.providers]);
  }

  /** Every module, with its kind. */
  allModules(): { kind: ChannelKind; module: AdapterModule }[] {
    return (Object.entries(this.modules) as [ChannelKind, readonly AdapterModule[]][]).flatMap(([kind, mods]) =>
      mods.map((module) => ({ kind, module })),
    );
  }

  /** A kind's server half, when it has one. */
  server(kind: ChannelKind): ChannelServer | undefined {
    return this.servers.find((s) => s.kind === kind);
  }

  /** The channels every new organization starts with (the API's own, the website's chat), default providers. */
  provisioned(): { kind: ChannelKind; provider: string; name: string }[] {
    const mods = this.allModules().filter(({ kind, module }) => module.provision && this.adapterFor(kind) === module);
    // The built-in one first: it is the organization's first channel.
    mods.sort((a, b) => Number(Boolean(b.module.provision?.builtIn)) - Number(Boolean(a.module.provision?.builtIn)));
    return mods.map(({ kind, module }) => ({ kind, provider: module.providers[0], name: module.provision!.name }));
  }

  /** The kind of the organization's built-in channel: sessions opened over the API without a channel go there. */
  builtInKind(): ChannelKind {
    const found = this.allModules().find(({ module }) => module.provision?.builtIn);
    if (!found) throw new Error('No channel module is marked provision.builtIn');
    return found.kind;
  }
}
