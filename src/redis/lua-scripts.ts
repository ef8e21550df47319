import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

// @upstash/ratelimit runs its Lua through an @upstash/redis client: it calls `evalsha(sha, keys, args)` and, when
// that fails with NOSCRIPT, `eval(script, keys, args)` (its dist `safeEval`). This object gives it those two calls
// over our ioredis connection. Its scripts open with `#!lua flags=allow-key-locking`, a flag only Upstash's server
// knows: Redis 7 refuses it ("Unexpected flag in script shebang"). So the shebang line is dropped (the script then
// runs as a classic EVAL script, which may write the keys it is given), and the library's precomputed hash is
// mapped to the hash of what Redis actually has. Replies are Redis's as ioredis returns them (integers as numbers,
// arrays as arrays), the shapes the library destructures.

export interface ScriptRunner {
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>;
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>;
}

const SHEBANG = /^#!lua[^\n]*\n/;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export function ioredisScriptRunner(redis: Redis): ScriptRunner {
  /** The library's hash of a script → the hash of the script as sent to Redis. */
  const sent = new Map<string, string>();
  const argv = (keys: string[], args: unknown[]) => [keys.length, ...keys, ...args.map(String)] as const;
  return {
    async eval(script, keys, args) {
      const body = script.replace(SHEBANG, '');
      const result = await redis.eval(body, ...argv(keys, args));
      sent.set(sha1(script), sha1(body));
      return result;
    },
    async evalsha(sha, keys, args) {
      const ours = sent.get(sha);
      // Not sent by this process yet: the library's answer to NOSCRIPT is to send the script itself.
      if (!ours) throw new Error('NOSCRIPT the rate limit script is not loaded yet');
      return redis.evalsha(ours, ...argv(keys, args));
    },
  };
}
