import { and, eq } from 'drizzle-orm';
import { agents, organizations } from '../db/schema/index.ts';
import { API_KEY_ROLES } from '../domain/model/enums.ts';
import { insertApiKey } from '../domain/organization/organizations.ts';
import { CliError, oneOf, parseOptions, print, UsageError, uuid } from './args.ts';
import { openConfiguredDatabase } from './database.ts';

const CMD = 'key create';

/** `key create --org ID --role admin|agent|widget [--name N] [--agent ID] [--json]`: a new API key, printed once. */
export async function keyCreate(args: string[]): Promise<void> {
  const opts = parseOptions(CMD, args, {
    org: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    agent: { type: 'string' },
    json: { type: 'boolean' },
  });
  const orgId = uuid(CMD, 'org', opts.org);
  const role = oneOf(CMD, 'role', opts.role, API_KEY_ROLES);
  const name = opts.name?.trim() || `${role} key (CLI)`;
  if (name.length > 200) throw new UsageError(`${CMD}: --name must be at most 200 characters`);
  const agentId = opts.agent === undefined ? null : uuid(CMD, 'agent', opts.agent);
  if (agentId && role !== 'agent') throw new UsageError(`${CMD}: --agent is only for --role agent`);

  const { database } = await openConfiguredDatabase();
  try {
    const db = database.db;
    const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId));
    if (!org) throw new CliError(`${CMD}: no organization ${orgId} (see \`switchboard org list\`)`);
    if (agentId) {
      const [agent] = await db
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.id, agentId), eq(agents.orgId, orgId)));
      if (!agent) throw new CliError(`${CMD}: organization ${orgId} has no agent ${agentId}`);
    }
    const { key, row } = await insertApiKey(db, orgId, role, name, undefined, agentId);
    print(Boolean(opts.json), { id: row.id, org_id: orgId, role, name, key }, [
      ['key id', row.id],
      ['organization', orgId],
      ['role', role],
      ['name', name],
      ['key', key],
    ]);
    if (!opts.json) process.stderr.write('\nThe key is shown only this once: store it now.\n');
  } finally {
    await database.close();
  }
}
