/**
 * `ServisBot.init` options: parsed from `unknown`, every default applied, every bad value a
 * `TypeError` that names the option (CONTRACT.md §3).
 */
import type { MessengerOptions } from './types';
import { isPlainObject, jsonObject, name } from './validate';

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
  resetOnLoad: boolean;
  debug: boolean;
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

const OTHERS = ['organization', 'endpoint', 'serverUrl', 'context', 'container', 'lang', 'dir', 'title', 'theme'] as const;

/** Every option name of CONTRACT.md §3. */
export const OPTION_NAMES: readonly (keyof MessengerOptions)[] = [...OTHERS, ...(Object.keys(BOOLEANS) as (keyof typeof BOOLEANS)[])];

const option = (key: string) => `ServisBot.init: option "${key}"`;

/**
 * Validates `input` and applies the defaults. Returns the options and the names of unknown
 * options (ignored: a page written for another version must still load). Throws `TypeError`.
 */
export function parseOptions(input: unknown, defaults: OptionDefaults): { options: ResolvedOptions; unknown: string[] } {
  if (!isPlainObject(input)) throw new TypeError('ServisBot.init: options must be an object');
  // Only `undefined` counts as absent (so `{ title: maybeTitle }` works); `null` is a wrong type.
  const given = (key: keyof MessengerOptions, fallback?: unknown): unknown => (input[key] === undefined ? fallback : input[key]);
  const organization = name(given('organization'), option('organization'));
  const endpoint = name(given('endpoint'), option('endpoint'));

  const booleans = {} as Record<keyof typeof BOOLEANS, boolean>;
  for (const [key, fallback] of Object.entries(BOOLEANS) as [keyof typeof BOOLEANS, boolean][]) {
    const value = given(key, fallback);
    if (typeof value !== 'boolean') throw new TypeError(`${option(key)} must be a boolean`);
    booleans[key] = value;
  }

  const options: ResolvedOptions = {
    organization,
    endpoint,
    serverUrl: httpUrl(given('serverUrl', defaults.serverUrl)),
    context: jsonObject(given('context', {}), option('context')),
    container: container(given('container'), defaults.document),
    lang: nonEmpty(given('lang', defaults.lang), 'lang'),
    dir: direction(given('dir', 'ltr')),
    title: optionalString(given('title'), 'title'),
    theme: theme(given('theme', {})),
    ...booleans,
  };
  const known: readonly string[] = OPTION_NAMES;
  return { options, unknown: Object.keys(input).filter((key) => !known.includes(key)) };
}

function httpUrl(value: unknown): string {
  const problem = `${option('serverUrl')} must be an http(s) URL`;
  if (typeof value !== 'string') throw new TypeError(problem);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(problem);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(problem);
  return url.href;
}

function container(value: unknown, document: Document): Element | undefined {
  if (value === undefined) return undefined;
  const problem = `${option('container')} must be a CSS selector matching an element`;
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(problem);
  let element: Element | null;
  try {
    element = document.querySelector(value);
  } catch {
    throw new TypeError(problem); // not a valid selector (SyntaxError)
  }
  if (!element) throw new TypeError(problem);
  return element;
}

function nonEmpty(value: unknown, key: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${option(key)} must be a non-empty string`);
  return value;
}

function direction(value: unknown): 'ltr' | 'rtl' {
  if (value !== 'ltr' && value !== 'rtl') throw new TypeError(`${option('dir')} must be 'ltr' or 'rtl'`);
  return value;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new TypeError(`${option(key)} must be a string`);
  return value;
}

function theme(value: unknown): Record<string, string> {
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new TypeError(`${option('theme')} must be an object of strings`);
  }
  return { ...(value as Record<string, string>) };
}
