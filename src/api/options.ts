/**
 * `ServisBot.init` options: parsed from `unknown`, every default applied, every bad value a
 * `TypeError` that names the option (README.md, "The widget"). The same parser serves the zero-JS install,
 * whose `data-*` attributes {@link optionsFromDataset} turns into option values first.
 */
import { parseVisitorIdentity, type VisitorIdentity } from '../protocol';
import type { MessengerOptions } from './types';
import { parseJson } from './hostile';
import { isOneOf, isPlainObject, jsonObject, name, own } from './validate';

/** The options after validation, with defaults applied and `container` resolved to its element. */
export interface ResolvedOptions {
  organization: string;
  endpoint: string;
  serverUrl: string;
  context: Record<string, unknown>;
  container: Element | undefined;
  alwaysOpen: boolean;
  displayRoundel: boolean;
  displayHeader: boolean;
  textInputDisabled: boolean;
  lang: string;
  dir: 'ltr' | 'rtl';
  title: string | undefined;
  theme: Record<string, string>;
  nonce: string | undefined;
  resetOnLoad: boolean;
  debug: boolean;
  user: VisitorIdentity | undefined;
}

/** What the defaults depend on. */
export interface OptionDefaults {
  /** The `serverUrl` default (the origin of the script's `src`). */
  serverUrl: string;
  /** The `lang` default (the browser's language). */
  lang: string;
  /** Where `container` is looked up. */
  document: Document;
}

const BOOLEANS = {
  alwaysOpen: false,
  displayRoundel: true,
  displayHeader: true,
  textInputDisabled: false,
  resetOnLoad: false,
  debug: false,
} as const satisfies Partial<Record<keyof MessengerOptions, boolean>>;

const OBJECTS = ['context', 'theme', 'user'] as const;
const STRINGS = ['organization', 'endpoint', 'serverUrl', 'container', 'lang', 'dir', 'title', 'nonce'] as const;

/** Every option name of the README's options table. */
export const OPTION_NAMES: readonly (keyof MessengerOptions)[] = [...STRINGS, ...OBJECTS, ...(Object.keys(BOOLEANS) as (keyof typeof BOOLEANS)[])];

/** Languages written right to left: their default `dir` is `rtl`. */
const RTL = /^(ar|fa|he|ur|ps|yi|dv|ckb)\b/i;

const option = (key: string) => `ServisBot.init: option "${key}"`;
const problem = (key: string, must: string) => new TypeError(`${option(key)} must be ${must}`);

/**
 * Validates `input` and applies the defaults. Returns the options and the names of unknown
 * options (ignored: a page written for another version must still load). Throws `TypeError`.
 * Reads only own properties and calls no `Array.prototype` method: a page that polluted
 * `Object.prototype` or replaced array methods cannot make valid options fail (validate.ts).
 */
export function parseOptions(input: unknown, defaults: OptionDefaults): { options: ResolvedOptions; unknown: string[] } {
  if (!isPlainObject(input)) throw new TypeError('ServisBot.init: options must be an object');
  // Only `undefined` counts as absent (so `{ title: maybeTitle }` works); `null` is a wrong type.
  const given = (key: keyof MessengerOptions, fallback?: unknown): unknown => {
    const value = own(input, key);
    return value === undefined ? fallback : value;
  };
  const optionalText = (key: keyof MessengerOptions): string | undefined => {
    const value = given(key);
    if (value !== undefined && typeof value !== 'string') throw problem(key, 'a string');
    return value;
  };
  const organization = name(given('organization'), option('organization'));
  const endpoint = name(given('endpoint'), option('endpoint'));

  const booleans = {} as Record<keyof typeof BOOLEANS, boolean>;
  for (const [key, fallback] of Object.entries(BOOLEANS) as [keyof typeof BOOLEANS, boolean][]) {
    const value = given(key, fallback);
    if (typeof value !== 'boolean') throw problem(key, 'a boolean');
    booleans[key] = value;
  }

  const langGiven = given('lang', defaults.lang);
  if (typeof langGiven !== 'string' || langGiven === '') throw problem('lang', 'a non-empty string');
  let lang = langGiven;
  try {
    Intl.getCanonicalLocales(lang);
  } catch {
    // A browser language that Intl refuses is not the page's mistake: English then.
    if (given('lang') !== undefined) throw problem('lang', 'a BCP 47 language tag');
    lang = 'en';
  }
  const dir = given('dir', RTL.test(lang) ? 'rtl' : 'ltr');
  if (dir !== 'ltr' && dir !== 'rtl') throw problem('dir', "'ltr' or 'rtl'");
  const theme = given('theme', {});
  if (!isPlainObject(theme)) throw problem('theme', 'an object of strings');
  for (const value of Object.values(theme)) if (typeof value !== 'string') throw problem('theme', 'an object of strings');

  const options: ResolvedOptions = {
    organization,
    endpoint,
    serverUrl: httpUrl(given('serverUrl', defaults.serverUrl)),
    context: jsonObject(given('context', {}), option('context')),
    container: container(given('container'), defaults.document),
    lang,
    dir,
    title: optionalText('title'),
    theme: { ...(theme as Record<string, string>) },
    nonce: optionalText('nonce'),
    ...booleans,
    user: visitor(given('user')),
  };
  const unknown: string[] = [];
  for (const key of Object.keys(input)) if (!isOneOf(key, OPTION_NAMES)) unknown[unknown.length] = key;
  return { options, unknown };
}

/**
 * The options written as `data-*` attributes of the script tag (`data-always-open="true"`,
 * `data-context='{"a":1}'`): booleans from `true`/`false` (an empty attribute is `true`), `context`
 * and `theme` from JSON, the rest as strings. Values that do not convert are passed on unchanged,
 * so {@link parseOptions} names the option in its `TypeError`.
 */
export function optionsFromDataset(dataset: DOMStringMap): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of OPTION_NAMES) {
    const raw = dataset[key];
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (Object.hasOwn(BOOLEANS, key)) value = raw === '' || raw === 'true' ? true : raw === 'false' ? false : raw;
    else if (isOneOf(key, OBJECTS)) {
      try {
        value = parseJson(raw);
      } catch {
        throw problem(key, `JSON (data-${key})`);
      }
    }
    options[key] = value;
  }
  return options;
}

function visitor(value: unknown): VisitorIdentity | undefined {
  if (value === undefined) return undefined;
  const parsed = parseVisitorIdentity(value, 'user');
  if (!parsed.ok) throw new TypeError(`ServisBot.init: option ${parsed.error.replace(/^user/, '"user"')}`);
  return parsed.value;
}

function httpUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(value as string);
  } catch {
    // Not a URL (or not a string): reported below.
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw problem('serverUrl', 'an http(s) URL');
  return url.href;
}

function container(selector: unknown, document: Document): Element | undefined {
  if (selector === undefined) return undefined;
  let element: Element | null = null;
  try {
    if (typeof selector === 'string') element = document.querySelector(selector);
  } catch {
    // Not a valid selector (SyntaxError): reported below like a selector that matches nothing.
  }
  if (!element) throw problem('container', 'a CSS selector matching an element');
  return element;
}
