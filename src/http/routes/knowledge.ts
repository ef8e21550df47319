import type { Deps } from '../../deps.ts';
import {
  articleView,
  createArticle,
  deleteArticle,
  getArticle,
  listArticles,
  patchArticle,
} from '../../domain/organization/knowledge-store.ts';
import { afterCursor, crudRoutes, pageBody } from '../crud.ts';
import { newRouter } from '../router.ts';
import { timeIdCursor } from '../schemas/common.ts';
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

const articles = crudRoutes({ tags: ['Knowledge'], path: '/knowledge', params: ArticleParams });

const create = articles.create({
  operationId: 'createKnowledgeArticle',
  summary: 'Create a knowledge article',
  body: CreateArticleBody,
  response: ArticleDto,
  says: 'The new article',
});

const list = articles.list({
  operationId: 'listKnowledgeArticles',
  summary: 'List or search knowledge articles, newest first',
  query: ArticleListQuery,
  response: ArticleList,
  says: 'A page of articles',
});

const get = articles.get({
  operationId: 'getKnowledgeArticle',
  summary: 'Get a knowledge article',
  response: ArticleDto,
  says: 'The article',
});

const patch = articles.patch({
  operationId: 'updateKnowledgeArticle',
  summary: 'Update a knowledge article',
  description: 'Fields given replace the stored ones (`tags` as a whole).',
  body: PatchArticleBody,
  response: ArticleDto,
  says: 'The updated article',
});

const remove = articles.remove({
  operationId: 'deleteKnowledgeArticle',
  summary: 'Delete a knowledge article',
  response: DeletedArticle,
  says: 'Deleted',
});

export function knowledgeRoutes(deps: Deps) {
  const app = newRouter();
  const { db } = deps;

  app.openapi(create, async (c) => {
    return c.json(articleView(await createArticle(db, c.get('auth').orgId, c.req.valid('json'))), 201);
  });

  app.openapi(list, async (c) => {
    const { q, tag, limit, cursor } = c.req.valid('query');
    const page = await listArticles(db, c.get('auth').orgId, { q, tag }, limit, afterCursor(cursor, timeIdCursor));
    return c.json(pageBody(page.items.map(articleView), page.next), 200);
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
