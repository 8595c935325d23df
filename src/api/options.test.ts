import { afterEach, describe, expect, it } from 'vitest';
import { OPTION_NAMES, optionsFromDataset, parseOptions } from './options';

const defaults = { serverUrl: 'https://chat.example.com', lang: 'en-GB', document };
const base = { organization: 'acme', endpoint: 'acme-demo' };

afterEach(() => document.body.replaceChildren());

describe('parseOptions', () => {
  it('applies every default of the README options table', () => {
    expect(parseOptions(base, defaults)).toEqual({
      options: {
        organization: 'acme',
        endpoint: 'acme-demo',
        serverUrl: 'https://chat.example.com/',
        context: {},
        container: undefined,
        alwaysOpen: false,
        displayRoundel: true,
        displayHeader: true,
        textInputDisabled: false,
        lang: 'en-GB',
        dir: 'ltr',
        title: undefined,
        theme: {},
        nonce: undefined,
        resetOnLoad: false,
        debug: false,
      },
      unknown: [],
    });
  });

  it('names every option of the contract', () => {
    expect([...OPTION_NAMES].sort()).toEqual(
      ['alwaysOpen', 'container', 'context', 'debug', 'dir', 'displayHeader', 'displayRoundel', 'endpoint', 'lang',
        'nonce', 'organization', 'resetOnLoad', 'serverUrl', 'textInputDisabled', 'theme', 'title', 'user'].sort(),
    );
  });

  it('takes a verified visitor and names the bad field of a wrong one in a TypeError', () => {
    const hash = 'a'.repeat(64);
    expect(parseOptions({ ...base, user: { id: 'crm-42', hash, name: 'Ada' } }, defaults).options.user).toEqual({ id: 'crm-42', hash, name: 'Ada' });
    expect(parseOptions(base, defaults).options.user).toBeUndefined();
    const bad: Array<[unknown, string]> = [
      ['crm-42', 'option "user" must be an object { id, hash, name?, email? }'],
      [null, 'option "user" must be an object { id, hash, name?, email? }'],
      [{ id: '', hash }, 'option "user".id must be a string of 1-128 characters'],
      [{ id: 'x'.repeat(129), hash }, 'option "user".id must be a string of 1-128 characters'],
      [{ id: 'crm-42', hash: 'A'.repeat(64) }, 'option "user".hash must be 64 lowercase hex characters'],
      [{ id: 'crm-42' }, 'option "user".hash must be 64 lowercase hex characters'],
      [{ id: 'crm-42', hash, email: 5 }, 'option "user".email must be a string of at most 254 characters'],
    ];
    for (const [user, message] of bad) expect(() => parseOptions({ ...base, user }, defaults)).toThrow(new TypeError(`ServisBot.init: ${message}`));
  });

  it('takes every option given, copies context and theme, and reports unknown ones', () => {
    const box = document.createElement('section');
    box.className = 'chat-box';
    document.body.append(box);
    const context = { user: { plan: 'pro' } };
    // Options taken as they are given.
    const flags = {
      alwaysOpen: true,
      displayRoundel: false,
      displayHeader: false,
      textInputDisabled: true,
      lang: 'fr',
      dir: 'rtl',
      title: 'Help',
      theme: { primary: '#000' },
      resetOnLoad: true,
      debug: true,
      nonce: 'r4nd0m',
    };
    const { options, unknown } = parseOptions(
      {
        ...base,
        serverUrl: 'http://127.0.0.1:8080/roundel',
        context,
        container: '.chat-box',
        ...flags,
        colour: 'red',
        undefinedIsAbsent: undefined,
      },
      defaults,
    );
    expect(options).toEqual({
      organization: 'acme',
      endpoint: 'acme-demo',
      serverUrl: 'http://127.0.0.1:8080/roundel',
      context: { user: { plan: 'pro' } },
      container: box,
      ...flags,
      theme: { primary: '#000' },
    });
    expect(options.context).not.toBe(context);
    expect(options.theme).not.toBe(flags.theme);
    expect(unknown).toEqual(['colour', 'undefinedIsAbsent']);
  });

  const bad: [string, unknown, string][] = [
    ['options', null, 'ServisBot.init: options must be an object'],
    ['options', 'acme', 'ServisBot.init: options must be an object'],
    ['organization', { endpoint: 'e' }, 'ServisBot.init: option "organization" must be a non-empty string'],
    ['organization', { ...base, organization: '' }, 'ServisBot.init: option "organization" must be a non-empty string'],
    ['endpoint', { organization: 'acme' }, 'ServisBot.init: option "endpoint" must be a non-empty string'],
    ['endpoint', { ...base, endpoint: 42 }, 'ServisBot.init: option "endpoint" must be a non-empty string'],
    ['serverUrl', { ...base, serverUrl: 'ftp://x.example' }, 'ServisBot.init: option "serverUrl" must be an http(s) URL'],
    ['serverUrl', { ...base, serverUrl: 'not a url' }, 'ServisBot.init: option "serverUrl" must be an http(s) URL'],
    ['context', { ...base, context: [] }, 'ServisBot.init: option "context" must be a plain object'],
    ['context', { ...base, context: new Date() }, 'ServisBot.init: option "context" must be a plain object'],
    ['context', { ...base, context: { n: 1n } }, 'ServisBot.init: option "context" must be JSON-serialisable'],
    ['context', { ...base, context: { big: 'x'.repeat(17_000) } }, 'ServisBot.init: option "context" must serialise to at most 16384 characters'],
    ['container', { ...base, container: '#missing' }, 'ServisBot.init: option "container" must be a CSS selector matching an element'],
    ['container', { ...base, container: '[[' }, 'ServisBot.init: option "container" must be a CSS selector matching an element'],
    ['container', { ...base, container: document.body }, 'ServisBot.init: option "container" must be a CSS selector matching an element'],
    ['alwaysOpen', { ...base, alwaysOpen: 'yes' }, 'ServisBot.init: option "alwaysOpen" must be a boolean'],
    ['displayRoundel', { ...base, displayRoundel: 0 }, 'ServisBot.init: option "displayRoundel" must be a boolean'],
    ['displayHeader', { ...base, displayHeader: null }, 'ServisBot.init: option "displayHeader" must be a boolean'],
    ['textInputDisabled', { ...base, textInputDisabled: 1 }, 'ServisBot.init: option "textInputDisabled" must be a boolean'],
    ['resetOnLoad', { ...base, resetOnLoad: 'true' }, 'ServisBot.init: option "resetOnLoad" must be a boolean'],
    ['debug', { ...base, debug: {} }, 'ServisBot.init: option "debug" must be a boolean'],
    ['lang', { ...base, lang: '' }, 'ServisBot.init: option "lang" must be a non-empty string'],
    ['lang', { ...base, lang: 'not a tag!' }, 'ServisBot.init: option "lang" must be a BCP 47 language tag'],
    ['dir', { ...base, dir: 'auto' }, "ServisBot.init: option \"dir\" must be 'ltr' or 'rtl'"],
    ['title', { ...base, title: 7 }, 'ServisBot.init: option "title" must be a string'],
    ['nonce', { ...base, nonce: 42 }, 'ServisBot.init: option "nonce" must be a string'],
    ['theme', { ...base, theme: { primary: 1 } }, 'ServisBot.init: option "theme" must be an object of strings'],
    ['theme', { ...base, theme: 'dark' }, 'ServisBot.init: option "theme" must be an object of strings'],
  ];

  it.each(bad)('throws a TypeError naming %s', (_name, input, message) => {
    expect(() => parseOptions(input, defaults)).toThrow(new TypeError(message));
  });
});

describe('lang', () => {
  it("falls back to English when the browser's own language is not a valid tag", () => {
    expect(parseOptions(base, { ...defaults, lang: '??' }).options.lang).toBe('en');
  });
});

describe('dir', () => {
  it('defaults to rtl for right-to-left languages, ltr otherwise; an explicit dir wins', () => {
    const dir = (options: Record<string, unknown>, lang = 'en-GB') => parseOptions({ ...base, ...options }, { ...defaults, lang }).options.dir;
    expect(dir({ lang: 'ar' })).toBe('rtl');
    expect(dir({}, 'he-IL')).toBe('rtl');
    expect(dir({ lang: 'fa-IR' })).toBe('rtl');
    expect(dir({ lang: 'fr' })).toBe('ltr');
    expect(dir({ lang: 'arn' })).toBe('ltr');
    expect(dir({ lang: 'ar', dir: 'ltr' })).toBe('ltr');
    expect(dir({ lang: 'en', dir: 'rtl' })).toBe('rtl');
  });
});

describe('optionsFromDataset (the zero-JS tag)', () => {
  /** The dataset of `<script data-...>` with these attributes. */
  function dataset(attributes: Record<string, string>): DOMStringMap {
    const script = document.createElement('script');
    for (const [name, value] of Object.entries(attributes)) script.setAttribute(`data-${name}`, value);
    return script.dataset;
  }

  it('reads every option from data-* attributes: booleans, JSON objects and strings', () => {
    const options = optionsFromDataset(
      dataset({
        organization: 'acme',
        endpoint: 'acme-demo',
        'server-url': 'https://chat.example.com',
        'always-open': 'true',
        'display-header': 'false',
        'reset-on-load': '',
        context: '{"a":1,"nested":{"b":[2]}}',
        theme: '{"primary":"#0b5cff"}',
        lang: 'es',
        dir: 'rtl',
        title: 'Ayuda',
        nonce: 'r4nd0m',
        'not-an-option': 'x',
      }),
    );
    expect(options).toEqual({
      organization: 'acme',
      endpoint: 'acme-demo',
      serverUrl: 'https://chat.example.com',
      alwaysOpen: true,
      displayHeader: false,
      resetOnLoad: true,
      context: { a: 1, nested: { b: [2] } },
      theme: { primary: '#0b5cff' },
      lang: 'es',
      dir: 'rtl',
      title: 'Ayuda',
      nonce: 'r4nd0m',
    });
    expect(parseOptions(options, defaults).options).toMatchObject({ alwaysOpen: true, displayHeader: false, context: { a: 1, nested: { b: [2] } }, nonce: 'r4nd0m' });
  });

  it('leaves a value that does not convert for parseOptions to name, and names bad JSON itself', () => {
    const options = optionsFromDataset(dataset({ organization: 'acme', endpoint: 'acme-demo', 'always-open': 'yes' }));
    expect(options.alwaysOpen).toBe('yes');
    expect(() => parseOptions(options, defaults)).toThrow(new TypeError('ServisBot.init: option "alwaysOpen" must be a boolean'));
    expect(() => optionsFromDataset(dataset({ context: '{a:1}' }))).toThrow(new TypeError('ServisBot.init: option "context" must be JSON (data-context)'));
    expect(() => parseOptions(optionsFromDataset(dataset({ organization: 'acme', endpoint: 'e', context: '[1]' })), defaults)).toThrow(
      new TypeError('ServisBot.init: option "context" must be a plain object'),
    );
  });
});


describe('on a hostile page', () => {
  it('ignores options the page added to Object.prototype: only own properties count', () => {
    const polluted = { container: '#nowhere', debug: 'yes', title: 42, context: 'polluted', nonce: 7 };
    let parsed;
    Object.assign(Object.prototype, polluted);
    try {
      parsed = parseOptions({ ...base }, defaults);
    } finally {
      for (const key of Object.keys(polluted)) delete (Object.prototype as Record<string, unknown>)[key];
    }
    expect({ ...parsed.options }).toMatchObject({ container: undefined, debug: false, title: undefined, context: {}, nonce: undefined });
    expect(parsed.unknown).toEqual([]);
  });

  it('calls no Array.prototype method and uses the JSON captured at load: a page may have replaced them', () => {
    const script = document.createElement('script');
    script.setAttribute('data-context', '{"plan":"pro"}');
    // Replaced by hand, not with vi.spyOn: spies record their calls in arrays.
    const saved = { array: { ...Array.prototype }, parse: JSON.parse, stringify: JSON.stringify };
    const names = ['map', 'filter', 'forEach', 'includes', 'push', 'some', 'every', 'indexOf', 'join'] as const;
    const originals = names.map((name) => Array.prototype[name]);
    let parsed;
    for (const name of names) {
      (Array.prototype as unknown as Record<string, unknown>)[name] = () => {
        throw new Error(`hostile: Array.prototype.${name}`);
      };
    }
    JSON.parse = JSON.stringify = () => {
      throw new Error('hostile: JSON');
    };
    try {
      parsed = parseOptions({ ...base, ...optionsFromDataset(script.dataset), theme: { primary: '#000' }, colour: 'red' }, defaults);
    } finally {
      for (let i = 0; i < names.length; i += 1) (Array.prototype as unknown as Record<string, unknown>)[names[i]!] = originals[i];
      Object.assign(JSON, { parse: saved.parse, stringify: saved.stringify });
    }
    expect(parsed.options).toMatchObject({ context: { plan: 'pro' }, theme: { primary: '#000' } });
    expect(parsed.unknown).toEqual(['colour']);
  });
});
