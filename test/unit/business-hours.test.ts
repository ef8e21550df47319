import { describe, expect, it } from 'vitest';
import { type BusinessHours, canonicalTimeZone, isOpen, minutesOf, wallClock } from '../../src/domain/handling/business-hours.ts';

// Business hours are read on the wall clock of the team's IANA zone: the same instant is open in one team and
// closed in another, and a DST change moves the opening instant in UTC, not on the local clock.

const weekdays = (tz: string, range: [string, string] = ['09:00', '17:00']): BusinessHours => ({
  timezone: tz,
  days: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [range]])),
});
const at = (iso: string) => new Date(iso);

describe('isOpen', () => {
  it('is always open without hours', () => {
    expect(isOpen(null, at('2024-01-07T03:00:00Z'))).toBe(true);
  });

  it('opens at the start of a range and closes at its end (half-open)', () => {
    const hours = weekdays('UTC');
    // 2024-01-08 is a Monday.
    expect(isOpen(hours, at('2024-01-08T08:59:59Z'))).toBe(false);
    expect(isOpen(hours, at('2024-01-08T09:00:00Z'))).toBe(true);
    expect(isOpen(hours, at('2024-01-08T16:59:59Z'))).toBe(true);
    expect(isOpen(hours, at('2024-01-08T17:00:00Z'))).toBe(false);
  });

  it('is closed on days left out or given no ranges', () => {
    const hours: BusinessHours = { timezone: 'UTC', days: { '1': [['09:00', '17:00']], '2': [] } };
    expect(isOpen(hours, at('2024-01-07T12:00:00Z'))).toBe(false); // Sunday: absent
    expect(isOpen(hours, at('2024-01-09T12:00:00Z'))).toBe(false); // Tuesday: empty
    expect(isOpen(hours, at('2024-01-08T12:00:00Z'))).toBe(true);
  });

  it('evaluates the same instant in each team’s own zone', () => {
    const instant = at('2024-01-08T15:30:00Z'); // Monday 16:30 in Paris, 10:30 in New York, Tuesday 00:30 in Tokyo
    expect(isOpen(weekdays('Europe/Paris'), instant)).toBe(true);
    expect(isOpen(weekdays('America/New_York'), instant)).toBe(true);
    expect(isOpen(weekdays('Asia/Tokyo'), instant)).toBe(false);
    expect(isOpen(weekdays('Asia/Tokyo', ['00:00', '01:00']), instant)).toBe(true); // Tuesday 00:30 there
    expect(isOpen(weekdays('Pacific/Kiritimati'), instant)).toBe(false); // UTC+14: Tuesday 05:30
  });

  it('uses the local weekday, not the UTC one', () => {
    // Friday 23:30 UTC is already Saturday 08:30 in Tokyo: closed there, though Friday in UTC.
    const instant = at('2024-01-12T23:30:00Z');
    expect(isOpen(weekdays('UTC', ['00:00', '24:00']), instant)).toBe(true);
    expect(isOpen(weekdays('Asia/Tokyo', ['00:00', '24:00']), instant)).toBe(false);
  });

  it('follows daylight saving time: 09:00 local moves in UTC across the change', () => {
    const paris = weekdays('Europe/Paris');
    // Winter (UTC+1): 09:00 local is 08:00 UTC. Summer (UTC+2, from 2024-03-31): 09:00 local is 07:00 UTC.
    expect(isOpen(paris, at('2024-03-29T07:30:00Z'))).toBe(false); // Friday before: 08:30 local
    expect(isOpen(paris, at('2024-04-01T07:30:00Z'))).toBe(true); // Monday after: 09:30 local
    expect(isOpen(paris, at('2024-04-01T15:00:00Z'))).toBe(false); // 17:00 local
    const ny = weekdays('America/New_York');
    // US DST ends 2024-11-03: 09:00 local is 13:00 UTC before, 14:00 UTC after.
    expect(isOpen(ny, at('2024-11-01T13:30:00Z'))).toBe(true);
    expect(isOpen(ny, at('2024-11-04T13:30:00Z'))).toBe(false);
    expect(isOpen(ny, at('2024-11-04T14:00:00Z'))).toBe(true);
  });

  it('handles the skipped and repeated hours of a DST change', () => {
    // Europe/Paris 2024-03-31 (a Sunday): 02:00 → 03:00. 00:59 UTC is 01:59 local, 01:00 UTC is 03:00 local.
    const sunday: BusinessHours = { timezone: 'Europe/Paris', days: { '0': [['02:00', '03:00']] } };
    expect(isOpen(sunday, at('2024-03-31T00:59:00Z'))).toBe(false);
    expect(isOpen(sunday, at('2024-03-31T01:00:00Z'))).toBe(false); // 02:xx never happens that day
    // America/New_York 2024-11-03 (a Sunday): 01:00–02:00 happens twice; both are open.
    const night: BusinessHours = { timezone: 'America/New_York', days: { '0': [['01:00', '02:00']] } };
    expect(isOpen(night, at('2024-11-03T05:30:00Z'))).toBe(true); // 01:30 EDT
    expect(isOpen(night, at('2024-11-03T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isOpen(night, at('2024-11-03T07:30:00Z'))).toBe(false); // 02:30 EST
  });

  it('treats a night shift as two same-day ranges, with 24:00 closing at midnight', () => {
    const night: BusinessHours = { timezone: 'UTC', days: { '1': [['22:00', '24:00']], '2': [['00:00', '06:00']] } };
    expect(isOpen(night, at('2024-01-08T21:59:00Z'))).toBe(false);
    expect(isOpen(night, at('2024-01-08T23:59:59Z'))).toBe(true);
    expect(isOpen(night, at('2024-01-09T00:00:00Z'))).toBe(true);
    expect(isOpen(night, at('2024-01-09T05:59:00Z'))).toBe(true);
    expect(isOpen(night, at('2024-01-09T06:00:00Z'))).toBe(false);
  });

  it('accepts several ranges per day (a lunch break)', () => {
    const split: BusinessHours = { timezone: 'UTC', days: { '1': [['09:00', '12:00'], ['13:00', '17:00']] } };
    expect(isOpen(split, at('2024-01-08T12:30:00Z'))).toBe(false);
    expect(isOpen(split, at('2024-01-08T13:30:00Z'))).toBe(true);
  });

  it('throws on an unknown zone (the API refuses one on write)', () => {
    expect(() => isOpen({ timezone: 'Mars/Olympus', days: {} }, new Date())).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('reads HH:MM, allowing 24:00 only as a closing time', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('09:30')).toBe(570);
    expect(minutesOf('23:59')).toBe(1439);
    expect(minutesOf('24:00')).toBeNull();
    expect(minutesOf('24:00', true)).toBe(1440);
    for (const bad of ['9:00', '24:01', '12:60', '', 'noon']) expect(minutesOf(bad, true), bad).toBeNull();
  });

  it('canonicalizes IANA zones and rejects unknown ones', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });

  it('gives the local weekday and minutes', () => {
    expect(wallClock('Asia/Kolkata', at('2024-01-07T20:00:00Z'))).toEqual({ day: 1, minutes: 90 }); // Mon 01:30
  });
});
