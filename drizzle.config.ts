import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema, never hand-written: `npm run db:generate -- --name verb_noun`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  strict: true,
});
