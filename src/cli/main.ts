import { readFileSync } from 'node:fs';
import { createFilesOwnerOnly } from '../data-dir.ts';
import { CliError, UsageError } from './args.ts';
import { HELP } from './help.ts';

// `switchboard <command>`: administration from the shell (bin/switchboard.js runs this through tsx).

type Command = (args: string[]) => Promise<void>;

/** Loaded on use, so `help` and usage errors answer without loading the database drivers. */
const COMMANDS: Record<string, Command> = {
  'org create': async (args) => (await import('./org.ts')).orgCreate(args),
  'org list': async (args) => (await import('./org.ts')).orgList(args),
  'key create': async (args) => (await import('./key.ts')).keyCreate(args),
  backup: async (args) => (await import('./backup.ts')).backup(args),
  restore: async (args) => (await import('./backup.ts')).restore(args),
};

/** The version in this package's package.json (the one `npm` and `npx switchboard` installed). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function run(argv: string[]): Promise<number> {
  const [group, sub, ...more] = argv;
  if (group === undefined || ['help', '--help', '-h'].includes(group)) {
    process.stdout.write(HELP);
    return 0;
  }
  if (['version', '--version', '-v'].includes(group)) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  // One-word commands (backup, restore) take everything after them; the others are `group sub`.
  const single = COMMANDS[group];
  const command = single ?? COMMANDS[`${group} ${sub ?? ''}`.trim()];
  const rest = single ? argv.slice(1) : more;
  try {
    if (!command) {
      const known = Object.keys(COMMANDS).filter((c) => c.startsWith(`${group} `));
      throw new UsageError(
        known.length > 0 && sub === undefined
          ? `"${group}" needs a subcommand: ${known.join(', ')}`
          : `unknown command "${[group, sub].filter(Boolean).join(' ')}"`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    await command(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`switchboard: ${err.message}\nRun \`switchboard help\` for usage.\n`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`switchboard: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

// What the CLI creates (DATA_DIR, the embedded database's files) is owner-only, as the server's (src/data-dir.ts).
createFilesOwnerOnly();
process.exitCode = await run(process.argv.slice(2));
