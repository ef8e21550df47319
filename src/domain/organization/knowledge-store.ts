import { type SQL, and, eq, ilike, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { keysetPage, type TimeIdCursor, timeIdKeyset } from '../../db/keyset.ts';
import { knowledge } from '../../db/schema/index.ts';
import { NotFoundError } from '../../errors.ts';

// The knowledge admin API: the articles the AI answers from (the responders read them with turn-context.ts).

export type ArticleRow = typeof knowledge.$inferSelect;
/** The list's order: newest first. */
const byCreated = timeIdKeyset(knowledge.createdAt, knowledge.id, 'desc');

export interface NewArticle {
  title: string;
  body: string;
  tags?: string[] | undefined;
}
export type ArticlePatch = Partial<NewArticle>;

export interface ArticleFilter {
  /** Substring of the title or body, case-insensitive. */
  q?: string | undefined;
  /** Articles carrying this tag. */
  tag?: string | undefined;
}

export function articleView(row: ArticleRow) {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    tags: row.tags,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const scoped = (orgId: string, id?: string): SQL => and(eq(knowledge.orgId, orgId), id ? eq(knowledge.id, id) : undefined)!;

/** `q` as a literal ILIKE substring: its own %, _ and \ must not act as wildcards (backslash is LIKE's escape). */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Tags are a set: duplicates dropped, first spelling and order kept. */
const uniqueTags = (tags: string[]) => [...new Set(tags)];

export async function createArticle(db: Db, orgId: string, input: NewArticle): Promise<ArticleRow> {
  const [row] = await db
    .insert(knowledge)
    .values({ orgId, title: input.title, body: input.body, tags: uniqueTags(input.tags ?? []) })
    .returning();
  return row!;
}

export async function getArticle(db: Db, orgId: string, id: string): Promise<ArticleRow> {
  const [row] = await db.select().from(knowledge).where(scoped(orgId, id));
  if (!row) throw new NotFoundError('Article');
  return row;
}

export async function listArticles(db: Db, orgId: string, filter: ArticleFilter, limit: number, after?: TimeIdCursor) {
  const rows = await db
    .select({ article: knowledge, sortKey: byCreated.sortKey })
    .from(knowledge)
    .where(
      and(
        scoped(orgId),
        filter.q ? or(ilike(knowledge.title, containing(filter.q)), ilike(knowledge.body, containing(filter.q))) : undefined,
        filter.tag ? sql`${knowledge.tags} @> ${JSON.stringify([filter.tag])}::jsonb` : undefined,
        byCreated.after(after),
      ),
    )
    .orderBy(...byCreated.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, (last): TimeIdCursor => [last.sortKey, last.article.id]);
  return { items: page.rows.map((r) => r.article), next: page.next };
}

export async function patchArticle(db: Db, orgId: string, id: string, patch: ArticlePatch): Promise<ArticleRow> {
  const [row] = await db
    .update(knowledge)
    .set({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      ...(patch.tags !== undefined ? { tags: uniqueTags(patch.tags) } : {}),
      updatedAt: new Date(),
    })
    .where(scoped(orgId, id))
    .returning();
  if (!row) throw new NotFoundError('Article');
  return row;
}

export async function deleteArticle(db: Db, orgId: string, id: string): Promise<void> {
  const gone = await db.delete(knowledge).where(scoped(orgId, id)).returning({ id: knowledge.id });
  if (gone.length === 0) throw new NotFoundError('Article');
}
