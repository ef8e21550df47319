import { describe, expect, inject, it } from 'vitest';
import { runChaos } from './chaos-run.ts';

// Kill -9 under load, small enough for CI (npm run chaos runs 2,000 messages): real OS processes (the server,
// redis-server with AOF, PostgreSQL), two kills of the server and one of Redis mid-load. Nothing is lost or stored
// twice, at most one customer per kill gets a reply twice, and the conversations in flight at a kill are answered
// within 15 s of the restart. It needs a PostgreSQL server, so it runs in the suite's PostgreSQL pass (.ci/run);
// on the embedded database there is no second process to share the data with, so the PGlite pass skips it.

const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('chaos: kill -9 of the server and of Redis under load', () => {
  it('loses nothing, stores nothing twice, replies twice at most once per kill, and recovers within 15 s', async () => {
    const figures = await runChaos({ messages: 240, concurrency: 20, ratePerSecond: 15, databaseUrl, log: (m) => console.log(`[chaos] ${m}`) });
    console.log(`[chaos] ${JSON.stringify(figures)}`);
    expect(figures.kills).toBe(3);
    expect(figures.lost).toBe(0);
    expect(figures.storedTwice).toBe(0);
    expect(figures.unanswered).toBe(0);
    expect(figures.duplicateReplies).toBeLessThanOrEqual(figures.kills);
    expect(figures.recovery.p99Ms).toBeLessThanOrEqual(15_000);
  }, 240_000);
});
