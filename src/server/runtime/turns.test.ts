import { describe, expect, it } from 'vitest';
import { TurnBudget } from './turns';

describe('TurnBudget', () => {
  it('starts a few units per event loop turn and lets other callbacks run in between', async () => {
    const budget = new TurnBudget(2);
    const order: string[] = [];
    setImmediate(() => order.push('request'));
    await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => {
        await budget.take();
        order.push(`unit ${n}`);
      }),
    );
    expect(order).toEqual(['unit 1', 'unit 2', 'request', 'unit 3', 'unit 4', 'unit 5']);
  });

  it('lets the first units of a quiet server start without waiting', async () => {
    const budget = new TurnBudget(4);
    let started = 0;
    const waits = [1, 2, 3, 4].map(() => budget.take().then(() => (started += 1)));
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toBe(4);
    await Promise.all(waits);
  });
});
