export const HELP = `Switchboard command line

Usage: switchboard <command> [options]        (or: npm run cli -- <command> [options])

Commands:
  org create --name NAME [--json]
      Create an organization with its built-in API channel and a first admin API key.
      Prints the organization id and the admin key (shown only this once).
  org list [--json]
      List the organizations.
  key create --org ID --role admin|agent|widget [--name NAME] [--agent AGENT_ID] [--json]
      Create an API key for an organization (--agent: the agent an agent key acts as).
      Prints the key (shown only this once).
  backup --out FILE
      Write the embedded database (DATA_DIR/pglite) to FILE, a gzipped tarball; the server must be stopped.
      With DATABASE_URL, prints the pg_dump command to use instead.
  restore --in FILE [--force]
      Make FILE (from \`backup\`) the embedded database; the server must be stopped. Refuses when DATA_DIR already
      holds a database, unless --force (the one there is then moved aside, not deleted). With DATABASE_URL,
      prints the pg_restore command to use instead. Keep the master key (SWITCHBOARD_SECRET or DATA_DIR/secret.key)
      with your backups: the restored database needs the same one.
  help, --help, -h
      Show this help.
  version, --version, -v
      Print the version of Switchboard.

The CLI opens the database the server is configured with, from the same environment:
  DATABASE_URL   PostgreSQL (postgres://...). Works while servers are running.
  DATA_DIR       Without DATABASE_URL: the embedded database (PGlite) in DATA_DIR/pglite (default ./.data).
                 PGlite is single-process: run the CLI only while the server is stopped (it refuses when a
                 server answers on HOST:PORT). With the server running, use the API instead
                 (POST /api-keys with an admin key), or use DATABASE_URL.

Exit codes: 0 done, 1 failed, 2 bad usage. With --json, stdout is only JSON (use \`npm run -s cli -- ...\` so npm
adds no banner).
`;
