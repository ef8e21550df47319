// Values published by test/global-setup.ts with provide() and read in test files with inject().
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of the one redis-server shared by the whole run (use a fresh queue prefix). */
    redisUrl: string;
    /** Path of a gzipped dump of a migrated PGlite data dir (see freshDatabase()). */
    pgliteDump: string;
    /** postgres:// URL of a server to create per-file databases on, or '' to use PGlite. */
    databaseUrl: string;
  }
}
