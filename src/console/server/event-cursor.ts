// Where a live stream is in the org's event log. `events.seq` is taken at insert, but transactions commit in any
// order: an event can appear after others with a higher seq were already read. So each poll also re-reads a
// short window below the high-water mark (from `floor`) for events it has not sent yet.

export class EventCursor {
  #high: number;
  #floor: number;
  /** High-water marks by time, newest last: the floor is the one from `lookbackMs` ago. */
  readonly #marks: Array<{ at: number; high: number }> = [];
  readonly #sent = new Set<number>();

  constructor(
    start: number,
    private readonly lookbackMs = 5000,
    private readonly now: () => number = Date.now,
  ) {
    this.#high = start;
    this.#floor = start;
  }

  /** Read events with seq above this. */
  get floor(): number {
    return this.#floor;
  }

  /** The highest seq sent so far: the SSE id, so a reconnect resumes after it. */
  get high(): number {
    return this.#high;
  }

  /** Seqs above the floor already sent (the look-back read excludes them). */
  sentSeqs(): number[] {
    return [...this.#sent];
  }

  /** The rows of one poll (seq ascending) that were not sent before; moves the marks on. */
  accept<T extends { seq: number }>(rows: readonly T[]): T[] {
    const fresh = rows.filter((r) => r.seq > this.#floor && !this.#sent.has(r.seq));
    for (const r of fresh) {
      this.#sent.add(r.seq);
      if (r.seq > this.#high) this.#high = r.seq;
    }
    const now = this.now();
    this.#marks.push({ at: now, high: this.#high });
    while (this.#marks.length > 0 && this.#marks[0]!.at <= now - this.lookbackMs) this.#floor = this.#marks.shift()!.high;
    for (const seq of this.#sent) if (seq <= this.#floor) this.#sent.delete(seq);
    return fresh;
  }
}
