import { describe, expect, it } from 'vitest';
import { ChatChain } from './chat-chain';

/** A promise with its resolve and reject exposed. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ChatChain', () => {
  it('starts a chat’s writes one after the other, in request order, even when one fails', async () => {
    const chain = new ChatChain();
    const started: string[] = [];
    const first = deferred<string>();
    const a = chain.run('c1', () => {
      started.push('a');
      return first.promise;
    });
    const b = chain.run('c1', async () => {
      started.push('b');
      return 'b';
    });
    const other = chain.run('c2', async () => {
      started.push('other');
      return 'other';
    });
    await other;
    // Another chat does not wait; the second write of c1 waits for the first.
    expect(started).toEqual(['a', 'other']);
    first.reject(new Error('lost'));
    await expect(a).rejects.toThrow('lost');
    await expect(b).resolves.toBe('b');
    expect(started).toEqual(['a', 'other', 'b']);
    await Promise.resolve();
    expect(chain.size).toBe(0);
  });
});
