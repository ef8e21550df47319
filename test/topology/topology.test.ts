import { describe, expect, inject, it } from 'vitest';
import { runTopology } from './topology-run.ts';

// Scaling out (README, "Scaling out"): two ROLE=api and two ROLE=worker processes, real OS processes on one
// PostgreSQL database and one redis-server of their own. API and SMS conversations go round-robin to both api
// processes; at 40 % answered, kill -9 of one api process and of the worker running the outbox relay. Every
// question is answered exactly once and in order, the surviving api process carries on, the periodic jobs were
// only ever held by workers, and the surviving worker takes every election over within seconds (at once here: on
// one host it sees that the holder's pid is gone; across hosts the TTL runs out first, which
// test/integration/leader-election.test.ts covers). It needs a PostgreSQL server (shared by four processes), so it
// runs in CI's PostgreSQL pass (.ci/run), in a step of its own.

const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('topology: two api and two worker processes, one of each killed under load', () => {
  it('answers every question once and in order, and the survivors take over', async () => {
    const figures = await runTopology({
      databaseUrl,
      apiConversations: 6,
      smsConversations: 6,
      questionsEach: 4,
      log: (m) => console.log(`[topology] ${m}`),
    });
    console.log(`[topology] ${JSON.stringify(figures)}`);
    expect(figures.workerHttp).toEqual({ healthz: 200, readyz: 200, metrics: 200, api: 404 });
    expect(figures.answered).toBe(figures.questions);
    expect(figures.outOfOrder).toEqual([]);
    expect(figures.duplicateTexts).toBe(0);
    // Both api processes took questions before the kill; the survivor took the rest.
    const [killed, survivor] = figures.acked;
    expect(killed!.before).toBeGreaterThan(0);
    expect(survivor!.before).toBeGreaterThan(0);
    expect(survivor!.after).toBeGreaterThan(0);
    expect(Object.values(figures.leadersBefore).every((holder) => holder.startsWith('worker-'))).toBe(true);
    expect(new Set(Object.values(figures.leadersAfter)).size).toBe(1);
    expect(figures.takeoverMs).toBeGreaterThan(0);
    expect(figures.takeoverMs).toBeLessThanOrEqual(10_000);
  }, 180_000);
});
