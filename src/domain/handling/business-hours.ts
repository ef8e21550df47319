import type { BusinessHours } from '../../db/schema/people.ts';

// A team's opening hours, read on the wall clock of the team's own IANA time zone (DST included, via Intl).
// Ranges are same-day, half-open [open, close): "09:00"–"17:00" is open at 16:59 and closed at 17:00. A close of
// "24:00" means midnight at the end of that day. A night shift is written as two ranges, e.g. Monday
// ["22:00","24:00"] and Tuesday ["00:00","06:00"]. A day with no entry (or an empty list) is closed all day.

export type { BusinessHours };

const HM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" → minutes after midnight; "24:00" is accepted as a closing time only. Anything else: null. */
export function minutesOf(hm: string, closing = false): number | null {
  if (closing && hm === '24:00') return 24 * 60;
  const m = HM.exec(hm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The zone's canonical IANA name, or null when Intl does not know it. */
export function canonicalTimeZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// Building a DateTimeFormat is far slower than using one, and routing asks often: one per zone, kept.
const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Day of week (0 = Sunday) and minutes after midnight of `at` on the wall clock of `timeZone`. */
export function wallClock(timeZone: string, at: Date): { day: number; minutes: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: WEEKDAYS[parts.weekday ?? ''] ?? 0, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * Whether a team with these hours is open at `at`. `null` hours: always open. An unknown time zone throws a
 * RangeError (the API refuses one on write, so only a hand-edited row can hold it).
 */
export function isOpen(hours: BusinessHours | null, at: Date): boolean {
  if (!hours) return true;
  const { day, minutes } = wallClock(hours.timezone, at);
  return (hours.days[String(day)] ?? []).some(([open, close]) => {
    const from = minutesOf(open);
    const to = minutesOf(close, true);
    return from !== null && to !== null && minutes >= from && minutes < to;
  });
}
