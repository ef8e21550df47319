import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRole } from '../domain/model/enums.ts';

const PREFIX: Record<ApiKeyRole, string> = { admin: 'sb_admin_', agent: 'sb_agent_', widget: 'sb_widget_' };

/** A new API key: a readable role prefix plus 192 random bits. Only its hash is stored. */
export function generateApiKey(role: ApiKeyRole): string {
  return PREFIX[role] + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What lists show of a key: enough to tell keys apart, far too little to use one. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, Math.min(14, key.length - 4))}…`;
}
