import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake of the caller: printed as one line with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the caller can act on (missing organization, server running…): printed as one line, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into UsageError and no stray positionals allowed. */
export function parseOptions<O extends Options>(command: string, args: string[], options: O) {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument "${positionals[0]}"`);
    return values;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${command}: ${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

/** A required string option: missing or blank → UsageError naming it. */
export function required(command: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${command}: --${name} is required`);
  return value.trim();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuid(command: string, name: string, value: unknown): string {
  const s = required(command, name, value);
  if (!UUID.test(s)) throw new UsageError(`${command}: --${name} must be a UUID, got "${s}"`);
  return s.toLowerCase();
}

export function oneOf<T extends string>(command: string, name: string, value: unknown, allowed: readonly T[]): T {
  const s = required(command, name, value);
  if (!allowed.includes(s as T)) throw new UsageError(`${command}: --${name} must be one of ${allowed.join(', ')}, got "${s}"`);
  return s as T;
}

/** Prints a value as JSON (--json) or as aligned `label: value` lines. */
export function print(json: boolean, value: Record<string, unknown>, lines: Array<[string, unknown]>): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, v] of lines) process.stdout.write(`${`${label}:`.padEnd(width + 2)}${String(v)}\n`);
}
