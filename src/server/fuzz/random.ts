/**
 * A small seeded PRNG (mulberry32) and generators of hostile input for the fuzz tests: odd
 * strings (lone surrogates, NUL, RTL marks, huge numbers as text), random JSON of every shape,
 * deep nesting. The same seed gives the same inputs, so a failure printed with its seed replays.
 */

export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
}

/** Strings that have broken parsers, loggers, databases and renderers elsewhere. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // lone high surrogate
  '\udc00x', // lone low surrogate
  '\u202eevil\u202c', // right-to-left override
  '\u200f\u200e\u061c', // RTL / LTR / Arabic marks
  '\ufeff',
  '\uffff',
  '👍🏽‍🔥',
  'e\u0301\u0301\u0301\u0301',
  '<script>alert(1)</script>',
  '"; DROP TABLE chats; --',
  "' OR '1'='1",
  '../../etc/passwd',
  '%00',
  '%',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'SB:::UserInputDisabled',
  'null',
  'NaN',
  '-0',
  '1e309',
  '9007199254740993',
  '\r\n\r\nHTTP/1.1 200 OK',
  '${jndi:ldap://x}',
  'x'.repeat(201),
  'y'.repeat(4001),
];

/** A random string: an odd one, random code units (surrogates and controls included), or plain text. */
export function randomString(r: Random, maxLength = 40): string {
  const kind = r.int(0, 3);
  if (kind === 0) return r.pick(ODD_STRINGS);
  if (kind === 1) {
    let s = '';
    const n = r.int(0, maxLength);
    for (let i = 0; i < n; i += 1) s += String.fromCharCode(r.chance(0.3) ? r.int(0, 0x1f) : r.int(0, 0xffff));
    return s;
  }
  if (kind === 2) return r.pick(['hi', 'message', 'login', 'ping', 'chatwidget', 'acme-test', 'event', 'x']);
  return 'word'.repeat(r.int(0, 3)) + String(r.int(0, 1e6));
}

const NUMBERS: readonly number[] = [0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 4294967296, 1e21];

/** A random JSON value up to `depth` levels of nesting. */
export function randomJson(r: Random, depth = 3): unknown {
  const kind = r.int(0, depth > 0 ? 8 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick(NUMBERS);
    case 3:
      return r.int(-1000, 1000);
    case 4:
    case 5:
      return randomString(r);
    case 6: {
      const length = r.int(0, 5);
      return Array.from({ length }, () => randomJson(r, depth - 1));
    }
    default: {
      const object: Record<string, unknown> = {};
      const n = r.int(0, 5);
      for (let i = 0; i < n; i += 1) object[randomString(r, 10)] = randomJson(r, depth - 1);
      return object;
    }
  }
}

/** `levels` nested arrays as JSON text, e.g. `[[[]]]`. */
export const deepArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** `levels` nested objects `{"a":{"a":...}}` as JSON text. */
export const deepObjects = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** A JSON text that is almost JSON: truncated, with junk, wrong quotes, comments. */
export function brokenJson(r: Random): string {
  const valid = JSON.stringify(randomJson(r, 2)) ?? 'null';
  const broken = [
    valid.slice(0, r.int(0, Math.max(0, valid.length - 1))),
    `${valid},`,
    valid.replace(/"/g, "'"),
    `/* c */ ${valid}`,
    `${valid}${valid}`,
    '{"a":1,}',
    '[1,2',
    '{"a"}',
    '{"a":undefined}',
    '{"a":NaN}',
    '\u0000{}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
  ];
  return r.pick(broken);
}

/** Replaces one field of a valid-looking object with garbage, or drops it. */
export function mutate(r: Random, value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  const copy: Record<string, unknown> = { ...value };
  if (keys.length === 0 || r.chance(0.1)) {
    copy[randomString(r, 8)] = randomJson(r);
    return copy;
  }
  const key = r.pick(keys);
  if (r.chance(0.25)) delete copy[key];
  else copy[key] = randomJson(r, 2);
  return copy;
}
