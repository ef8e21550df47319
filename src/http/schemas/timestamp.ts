import { z } from '@hono/zod-openapi';

// Date filters as real clients send them. Open documents ISO 8601, but its clients are not all strict: a Singer
// tap for Open's sessions API sends Python's str() of a datetime (`2025-09-23 12:00:00+00:00`, or
// `…21:10:52.076000+00:00` from its bookmark), with a space and microseconds. RFC 3339 §5.6 itself allows the
// space ("NOTE: ISO 8601 defines date and time separated by 'T'. Applications … may … use a space"). Accepted:
// date-only (midnight UTC), `T`/`t`/space, minutes or seconds, a fraction of any length, `Z` or `±HH`, `±HHMM`,
// `±HH:MM`; a time without a zone is UTC. Written by hand because Date.parse takes (and silently rolls over)
// `2025-02-30` and reads a zone-less time as the server's local time.

const FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** The instant a client's timestamp names, or null when it is not one (bad form, or no such day or time). */
export function parseTimestamp(text: string): Date | null {
  const m = FORM.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const [year, month, day, hour, minute, offH, offM] = [y, mo, d, h, mi, oh, om].map(Number) as number[];
  // A leap second (RFC 3339 allows :60) is read as the last millisecond of its minute.
  const second = Math.min(Number(s), 59);
  const ms = Number(s) === 60 ? 999 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return null;
  if (hour! > 23 || minute! > 59 || Number(s) > 60 || offH! > 23 || offM! > 59) return null;
  const offset = (sign === '-' ? -1 : 1) * (offH! * 60 + offM!);
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute! - offset, second, ms));
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A timestamp in a query string or body, parsed to a Date; anything else is a 400 naming the accepted forms. */
export const timestamp = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const at = parseTimestamp(text);
    if (at) return at;
    ctx.addIssue({ code: 'custom', message: 'Expected an ISO 8601 date or date-time, like 2025-09-23T12:00:00Z' });
    return z.NEVER;
  })
  .openapi({
    type: 'string',
    format: 'date-time',
    example: '2025-09-23T12:00:00Z',
    description: 'ISO 8601 / RFC 3339: `T` or a space, any fraction, `Z` or an offset (none: UTC); a date alone is midnight UTC.',
  });
