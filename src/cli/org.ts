import { asc } from 'drizzle-orm';
import { organizations } from '../db/schema/index.ts';
import { createOrganization } from '../domain/organization/organizations.ts';
import { parseOptions, print, required, UsageError } from './args.ts';
import { openConfiguredDatabase } from './database.ts';

/** `org create --name NAME [--json]`: a new organization with its first admin key, printed once. */
export async function orgCreate(args: string[]): Promise<void> {
  const opts = parseOptions('org create', args, { name: { type: 'string' }, json: { type: 'boolean' } });
  const name = required('org create', 'name', opts.name);
  if (name.length > 200) throw new UsageError('org create: --name must be at most 200 characters');
  const { database, channels } = await openConfiguredDatabase();
  try {
    const org = await createOrganization({ db: database.db, channels }, name);
    print(Boolean(opts.json), { id: org.id, name: org.name, admin_key: org.adminKey }, [
      ['organization', org.id],
      ['name', org.name],
      ['admin key', org.adminKey],
    ]);
    if (!opts.json) process.stderr.write('\nThe admin key is shown only this once: store it now.\n');
  } finally {
    await database.close();
  }
}

/** `org list [--json]`: every organization, oldest first. */
export async function orgList(args: string[]): Promise<void> {
  const opts = parseOptions('org list', args, { json: { type: 'boolean' } });
  const { database } = await openConfiguredDatabase();
  try {
    const rows = await database.db
      .select({ id: organizations.id, name: organizations.name, createdAt: organizations.createdAt })
      .from(organizations)
      .orderBy(asc(organizations.createdAt), asc(organizations.id));
    const items = rows.map((r) => ({ id: r.id, name: r.name, created_at: toIso(r.createdAt) }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      return;
    }
    if (items.length === 0) {
      process.stdout.write('No organizations yet: create one with `switchboard org create --name NAME`.\n');
      return;
    }
    process.stdout.write(`${'ID'.padEnd(38)}${'CREATED'.padEnd(26)}NAME\n`);
    for (const o of items) process.stdout.write(`${o.id.padEnd(38)}${o.created_at.padEnd(26)}${o.name}\n`);
  } finally {
    await database.close();
  }
}

const toIso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
