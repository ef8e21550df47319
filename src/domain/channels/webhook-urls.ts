// The URLs an admin pastes into a provider's console: one base per channel (`/webhooks/<channel id>`), under which
// the adapter module names its sub-paths (inbound, status, voice, events…).

/** `{ name: "<publicUrl>/webhooks/<channelId>/<subPath>" }` for each of the module's webhook paths. */
export function webhookUrls(
  publicUrl: string,
  channelId: string,
  paths: Readonly<Record<string, string>>,
): Record<string, string> {
  const base = `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(channelId)}`;
  return Object.fromEntries(
    Object.entries(paths).map(([name, subPath]) => {
      const sub = subPath.replace(/^\/+/, '');
      return [name, sub ? `${base}/${sub}` : base];
    }),
  );
}
