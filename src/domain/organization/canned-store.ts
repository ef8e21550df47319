import { type SQL, and, asc, eq, gt, ilike, or } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { keysetPage } from '../../db/keyset.ts';
import { cannedResponses } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';

// Canned responses: saved replies agents insert into the composer. Every query is scoped by org id; shortcuts are
// unique per organization (canned_responses_org_shortcut_uq), so they also order and page the list.

export type CannedRow = typeof cannedResponses.$inferSelect;

export interface NewCanned {
  shortcut: string;
  title: string;
  body: string;
}
export type CannedPatch = Partial<NewCanned>;

export function cannedView(row: CannedRow) {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const scoped = (orgId: string, id?: string): SQL => and(eq(cannedResponses.orgId, orgId), id ? eq(cannedResponses.id, id) : undefined)!;

/** `q` as a literal ILIKE substring: its own %, _ and \ must not act as wildcards (backslash is LIKE's escape). */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A taken shortcut is the caller's mistake: 409 naming it, however the driver or drizzle wraps unique_violation. */
function shortcutTaken(err: unknown, shortcut: string | undefined): never {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') {
      throw new ConflictError(`Another canned response of this organization already has the shortcut ${shortcut ?? ''}`.trim());
    }
  }
  throw err;
}

export async function createCanned(db: Db, orgId: string, input: NewCanned): Promise<CannedRow> {
  try {
    const [row] = await db.insert(cannedResponses).values({ orgId, ...input }).returning();
    return row!;
  } catch (err) {
    shortcutTaken(err, input.shortcut);
  }
}

export async function getCanned(db: Db, orgId: string, id: string): Promise<CannedRow> {
  const [row] = await db.select().from(cannedResponses).where(scoped(orgId, id));
  if (!row) throw new NotFoundError('Canned response');
  return row;
}

/** By shortcut, A→Z; `after` is the last shortcut of the previous page. `q`: substring of shortcut, title or body. */
export async function listCanned(db: Db, orgId: string, q: string | undefined, limit: number, after?: [shortcut: string]) {
  const rows = await db
    .select()
    .from(cannedResponses)
    .where(
      and(
        scoped(orgId),
        q
          ? or(
              ilike(cannedResponses.shortcut, containing(q)),
              ilike(cannedResponses.title, containing(q)),
              ilike(cannedResponses.body, containing(q)),
            )
          : undefined,
        after ? gt(cannedResponses.shortcut, after[0]) : undefined,
      ),
    )
    .orderBy(asc(cannedResponses.shortcut))
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): [shortcut: string] => [last.shortcut]);
  return { items: page.rows, next: page.next };
}

export async function patchCanned(db: Db, orgId: string, id: string, patch: CannedPatch): Promise<CannedRow> {
  let row: CannedRow | undefined;
  try {
    [row] = await db
      .update(cannedResponses)
      .set({
        ...(patch.shortcut !== undefined ? { shortcut: patch.shortcut } : {}),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        updatedAt: new Date(),
      })
      .where(scoped(orgId, id))
      .returning();
  } catch (err) {
    shortcutTaken(err, patch.shortcut);
  }
  if (!row) throw new NotFoundError('Canned response');
  return row;
}

export async function deleteCanned(db: Db, orgId: string, id: string): Promise<void> {
  const gone = await db.delete(cannedResponses).where(scoped(orgId, id)).returning({ id: cannedResponses.id });
  if (gone.length === 0) throw new NotFoundError('Canned response');
}
