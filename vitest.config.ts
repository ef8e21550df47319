import { defineConfig } from 'vitest/config';

// Integration tests use the real services of test/global-setup.ts: one Redis for the run (a fresh queue prefix
// per file), a fresh database per file (PGlite from a migrated dump, or a new database on DATABASE_URL).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
