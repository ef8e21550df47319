import { z } from '@hono/zod-openapi';
import { listQuery, rejectNul } from './common.ts';

// Request and response schemas of /knowledge* (the articles the AI answers from).

const id = z.guid().openapi({ format: 'uuid' });
const noNul = (s: string) => !s.includes('\u0000');

export const ArticleParams = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });

const articleFields = {
  title: z.string().trim().min(1).max(500),
  // Not trimmed: leading indentation can be meaningful (Markdown code blocks); blank is still refused.
  body: z.string().max(100_000).refine((s) => s.trim().length > 0, 'Must not be blank'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).openapi({ description: 'A set: duplicates are dropped.' }),
};

export const CreateArticleBody = z
  .strictObject({ ...articleFields, tags: articleFields.tags.optional() })
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('CreateKnowledgeArticleInput');

export const PatchArticleBody = z
  .strictObject(articleFields)
  .partial()
  .superRefine((v, ctx) => rejectNul(v, ctx))
  .openapi('UpdateKnowledgeArticleInput');

export const ArticleDto = z
  .object({
    id: z.uuid(),
    title: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('KnowledgeArticle');

export const ArticleListQuery = listQuery(20, 100).extend({
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(noNul, 'Must not contain NUL characters')
    .optional()
    .openapi({ description: 'Case-insensitive substring of the title or body.' }),
  tag: z.string().trim().min(1).max(50).refine(noNul, 'Must not contain NUL characters').optional(),
});
export const ArticleList = z.object({ items: z.array(ArticleDto), next: z.string().nullable() }).openapi('ListKnowledgeArticlesOutput');

export const DeletedArticle = z.object({ success: z.literal(true) }).openapi('DeleteKnowledgeArticleOutput');
