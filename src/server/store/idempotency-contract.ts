/**
 * The idempotency records' contract: one suite, run against every engine (idempotency.test.ts on
 * SQLite, postgres/store.test.ts on PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore } from './idempotency-types';

/** A fresh, empty record store; `rows()` counts what the engine still keeps. */
export interface IdempotencyFixture {
  store: IdempotencyStore;
  rows(): Promise<number>;
  close(): Promise<void>;
}

export function describeIdempotencyContract(engine: string, open: () => Promise<IdempotencyFixture>): void {
  let fixture: IdempotencyFixture;
  let store: IdempotencyStore;
  const T0 = new Date('2026-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(T0.getTime() + ms);
  const DAY = 24 * 60 * 60 * 1000;
  const answer = { status: 202, headers: { Location: '/x' }, body: '{"ok":true}' };

  describe(`idempotency records: ${engine}`, () => {
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(() => fixture.close());

    it('claims once, replays the completed answer, and scopes keys', async () => {
      expect(await store.claim('s', 'k', T0, 60_000)).toEqual({ status: 'claimed' });
      expect(await store.claim('s', 'k', at(10), 60_000)).toEqual({ status: 'in_progress' });
      await store.complete('s', 'k', answer, at(DAY));
      expect(await store.claim('s', 'k', at(20), 60_000)).toEqual({ status: 'done', answer });
      expect(await store.claim('other', 'k', at(20), 60_000)).toEqual({ status: 'claimed' });
    });

    it('forgets an answer after its lifetime and a released claim at once', async () => {
      await store.claim('s', 'k', T0, 60_000);
      await store.complete('s', 'k', answer, at(DAY));
      expect((await store.claim('s', 'k', at(DAY - 1), 60_000)).status).toBe('done');
      expect(await store.claim('s', 'k', at(DAY), 60_000)).toEqual({ status: 'claimed' });
      await store.release('s', 'k');
      expect(await store.claim('s', 'k', at(DAY + 1), 60_000)).toEqual({ status: 'claimed' });
    });

    it('lets a retry take over a claim whose request died, and trims expired rows', async () => {
      await store.claim('s', 'stale', T0, 60_000);
      expect((await store.claim('s', 'stale', at(59_999), 60_000)).status).toBe('in_progress');
      expect((await store.claim('s', 'stale', at(60_000), 60_000)).status).toBe('claimed');
      await store.claim('s', 'old', T0, 60_000);
      await store.complete('s', 'old', answer, at(DAY));
      await store.trim(at(DAY + 60_001), 60_000);
      expect(await fixture.rows()).toBe(0);
    });
  });
}
