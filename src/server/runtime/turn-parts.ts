/**
 * The runtime's small parts: the concurrency slots of handler calls, the time limit around one,
 * and the check of the `ctx.state` a handler leaves behind.
 */
import { Limits, isObject, jsonDepth, type JsonObject } from '../../protocol';

/** Largest `ctx.state`, as serialised JSON characters; a larger one is not persisted. */
const MAX_STATE_CHARS = 64 * 1024;

export type Outcome = { kind: 'ok' } | { kind: 'threw'; error: unknown } | { kind: 'timeout' };

/** Counts concurrent work; `acquire` waits for a free slot. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** Runs a handler call with a time limit; never throws. */
export async function invoke(run: () => unknown, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    // Promise.resolve adopts a returned thenable; garbage return values are simply ignored.
    const finished = Promise.resolve(run()).then(
      (): Outcome => ({ kind: 'ok' }),
      (error: unknown): Outcome => ({ kind: 'threw', error }),
    );
    return await Promise.race([finished, timeout]);
  } catch (error) {
    return { kind: 'threw', error };
  } finally {
    clearTimeout(timer);
  }
}

/** JSON texts of stored states: a cached chat's state is frozen, so its text is made once, not per turn. */
const stateTexts = new WeakMap<object, string>();

/** The JSON text of a chat's stored (frozen) `state`. */
export function storedStateText(state: JsonObject): string {
  let text = stateTexts.get(state);
  if (text === undefined) {
    text = JSON.stringify(state);
    if (Object.isFrozen(state)) stateTexts.set(state, text);
  }
  return text;
}

/**
 * The state to persist, as a fresh JSON copy (so what is stored is exactly what was checked,
 * whatever getters or toJSON the bot left), `'unchanged'` when it serialises to `before` (nothing
 * to write), or `'unusable'` when the bot left something that cannot be stored. Never throws:
 * `ctx.state` may even be a revoked Proxy or a getter.
 */
export function checkState(ctx: { state: unknown }, before: string): { state: JsonObject } | 'unchanged' | { unusable: number } {
  let size = 0;
  try {
    const state = ctx.state;
    const text = isObject(state) ? JSON.stringify(state) : undefined;
    size = text?.length ?? 0;
    if (text === before) return 'unchanged';
    const copy: unknown = text === undefined || size > MAX_STATE_CHARS || jsonDepth(text) > Limits.jsonDepth ? undefined : JSON.parse(text);
    if (isObject(copy)) return { state: copy };
  } catch {
    // fall through: not storable
  }
  return { unusable: size };
}
