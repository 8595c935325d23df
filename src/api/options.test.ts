import { afterEach, describe, expect, it } from 'vitest';
import { OPTION_NAMES, parseOptions } from './options';

const defaults = { serverUrl: 'https://chat.example.com', lang: 'en-GB', document };
const base = { organization: 'acme', endpoint: 'acme-demo' };

afterEach(() => document.body.replaceChildren());

describe('parseOptions', () => {
  it('applies every default of CONTRACT.md §3', () => {
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
        resetOnLoad: false,
        debug: false,
      },
      unknown: [],
    });
  });

  it('names every option of the contract', () => {
    expect([...OPTION_NAMES].sort()).toEqual(
      ['alwaysOpen', 'container', 'context', 'debug', 'dir', 'displayHeader', 'displayRoundel', 'endpoint', 'lang',
        'organization', 'resetOnLoad', 'serverUrl', 'textInputDisabled', 'theme', 'title'].sort(),
    );
  });

  it('takes every option given, copies context and theme, and reports unknown ones', () => {
    const box = document.createElement('section');
    box.className = 'chat-box';
    document.body.append(box);
    const context = { user: { plan: 'pro' } };
    const { options, unknown } = parseOptions(
      {
        ...base,
        serverUrl: 'http://127.0.0.1:8080/roundel',
        context,
        container: '.chat-box',
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
    });
    expect(options.context).not.toBe(context);
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
    ['dir', { ...base, dir: 'auto' }, "ServisBot.init: option \"dir\" must be 'ltr' or 'rtl'"],
    ['title', { ...base, title: 7 }, 'ServisBot.init: option "title" must be a string'],
    ['theme', { ...base, theme: { primary: 1 } }, 'ServisBot.init: option "theme" must be an object of strings'],
    ['theme', { ...base, theme: 'dark' }, 'ServisBot.init: option "theme" must be an object of strings'],
  ];

  it.each(bad)('throws a TypeError naming %s', (_name, input, message) => {
    expect(() => parseOptions(input, defaults)).toThrow(new TypeError(message));
  });
});
