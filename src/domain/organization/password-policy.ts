import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '../../errors.ts';

// Which console passwords may be set: at least 12 characters and not a common password. This follows NIST SP
// 800-63B (https://pages.nist.gov/800-63-3/sp800-63b.html#memsecretver): a minimum length and a check against
// passwords known to be common, no composition rules.
//
// The check is the list zxcvbn ships (@zxcvbn-ts/language-common, ~49,000 passwords from breach corpora) rather
// than zxcvbn's strength score: a list gives one rule an admin can read in the error ("it is on a list of common
// passwords") and a verdict that does not move with the estimator's heuristics, and it needs none of zxcvbn's
// matchers. A common password with digits or symbols added at either end (`dragon2024!`) counts as that password.
// Every place that sets a password goes through the agent store, which asks here (src/domain/organization/agent-store.ts).

export const MIN_PASSWORD_LENGTH = 12;

let common: Set<string> | undefined;

const normalize = (s: string) => s.normalize('NFKC').toLowerCase();

/** Why `password` may not be set, or undefined when it may. */
export function passwordWeakness(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Passwords need at least ${MIN_PASSWORD_LENGTH} characters`;
  common ??= new Set(dictionary['passwords-common'].map(normalize));
  const lower = normalize(password);
  if (new Set(lower).size === 1) return 'A password of one character repeated is easy to guess: choose another';
  const core = lower.replace(/^\P{L}+|\P{L}+$/gu, '');
  if (common.has(lower) || common.has(core)) {
    return 'This password is on a list of common passwords: choose another (a few unrelated words make a good one)';
  }
  return undefined;
}

/** Throws a 400 saying why, for a password that may not be set. */
export function assertAcceptablePassword(password: string): void {
  const why = passwordWeakness(password);
  if (why) throw new ValidationError(`Password refused: ${why}`, [{ path: 'password', message: why }]);
}
