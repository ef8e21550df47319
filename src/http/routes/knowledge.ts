import { createRoute } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import {
  articleView,
  createArticle,
  deleteArticle,
  getArticle,
  listArticles,
  patchArticle,
} from '../../domain/organization/knowledge-store.ts';
import { bearerSecurity, errorResponses, idempotencyHeader, newRouter } from '../router.ts';
import { decodeCursor, encodeCursor, timeIdCursor } from '../schemas/common.ts';
import {
  ArticleDto,
  ArticleList,
  ArticleListQuery,
  ArticleParams,
  CreateArticleBody,
  DeletedArticle,
  PatchArticleBody,
} from '../schemas/knowledge.ts';

// /knowledge*: the articles the AI answers from (admin keys: app.ts).

const tags = ['Knowledge'];
const security = bearerSecurity;
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const params = ArticleParams;
const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ tags, security, ...r });

const create = route({
  method: 'post',
  path: '/knowledge',
  operationId: 'createKnowledgeArticle',
  summary: 'Create a knowledge article',
  request: { headers: idempotencyHeader, body: body(CreateArticleBody) },
  responses: { 201: json(ArticleDto, 'The new article'), ...errorResponses },
});

const list = route({
  method: 'get',
  path: '/knowledge',
  operationId: 'listKnowledgeArticles',
  summary: 'List or search knowledge articles, newest first',
  request: { query: ArticleListQuery },
  responses: { 200: json(ArticleList, 'A page of articles'), ...errorResponses },
});

const get = route({
  method: 'get',
  path: '/knowledge/{id}',
  operationId: 'getKnowledgeArticle',
  summary: 'Get a knowledge article',
  request: { params },
  responses: { 200: json(ArticleDto, 'The article'), ...errorResponses },
});

const patch = route({
  method: 'patch',
  path: '/knowledge/{id}',
  operationId: 'updateKnowledgeArticle',
  summary: 'Update a knowledge article',
  description: 'Fields given replace the stored ones (`tags` as a whole).',
  request: { params, body: body(PatchArticleBody) },
  responses: { 200: json(ArticleDto, 'The updated article'), ...errorResponses },
});

const remove = route({
  method: 'delete',
  path: '/knowledge/{id}',
  operationId: 'deleteKnowledgeArticle',
  summary: 'Delete a knowledge article',
  request: { params },
  responses: { 200: json(DeletedArticle, 'Deleted'), ...errorResponses },
});

export function knowledgeRoutes(deps: Deps) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    return c.json(articleView(await createArticle(db, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { q, tag, limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor, timeIdCursor) : undefined;
    const page = await listArticles(db, c.get('auth').orgId, { q, tag }, limit, after);
    return c.json({ items: page.items.map(articleView), next: page.next ? encodeCursor(page.next) : null }, 200);
  });

  app.openapi(get, async (c) => {
    return c.json(articleView(await getArticle(db, c.get('auth').orgId, c.req.valid('param').id)), 200);
  });

  app.openapi(patch, async (c) => {
    const row = await patchArticle(db, c.get('auth').orgId, c.req.valid('param').id, c.req.valid('json'));
    return c.json(articleView(row), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteArticle(db, c.get('auth').orgId, c.req.valid('param').id);
    return c.json({ success: true as const }, 200);
  });

  return app;
}
