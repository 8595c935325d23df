/**
 * Runnable HTTP examples in Markdown: a fenced `http` block holding a request
 * (`METHOD /path HTTP/1.1`, headers, blank line, body) followed by a fenced `http` block holding
 * its response (`HTTP/1.1 STATUS Reason`, headers, body). Tests replay the requests against a
 * real server and compare the answers with what the document shows, so the document cannot drift.
 *
 * Values that differ on every run are matched by shape: a UUID stands for any UUID (bound on first
 * sight, so a later request or response using the same documented id uses the real one), an
 * ISO-8601 time for any time. Everything else must be equal.
 */
import { STATUS_CODES } from 'node:http';

export interface ExampleMessage {
  headers: Array<[name: string, value: string]>;
  body: string;
}

export interface HttpExample {
  /** 1-based line of the request block in the document, for failure messages. */
  line: number;
  request: ExampleMessage & { method: string; path: string };
  response: ExampleMessage & { status: number };
}

const FENCE = /^```http\n([\s\S]*?)^```$/gm;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ISO_TIME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,3})?Z';
const VOLATILE = new RegExp(`(${UUID})|(${ISO_TIME})`, 'g');

function parseMessage(text: string): { start: string; message: ExampleMessage } {
  const [head = '', ...rest] = text.trimEnd().split(/\n\n/);
  const [start = '', ...headerLines] = head.split('\n');
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${line}`);
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  return { start, message: { headers, body: rest.join('\n\n').trim() } };
}

/** Every request/response pair of the document. @throws Error naming the line of a malformed block. */
export function parseExamples(markdown: string): HttpExample[] {
  const blocks = [...markdown.matchAll(FENCE)].map((m) => ({
    line: markdown.slice(0, m.index).split('\n').length,
    text: m[1] ?? '',
  }));
  const examples: HttpExample[] = [];
  for (let i = 0; i < blocks.length; i += 2) {
    const request = blocks[i];
    const response = blocks[i + 1];
    if (!request || !response) throw new Error(`line ${request?.line}: a request block needs a response block after it`);
    const req = parseMessage(request.text);
    const res = parseMessage(response.text);
    const requestLine = /^([A-Z]+) (\/\S*) HTTP\/1\.1$/.exec(req.start);
    const statusLine = /^HTTP\/1\.1 (\d{3}) (.+)$/.exec(res.start);
    if (!requestLine) throw new Error(`line ${request.line}: expected "METHOD /path HTTP/1.1", got "${req.start}"`);
    if (!statusLine) throw new Error(`line ${response.line}: expected "HTTP/1.1 STATUS Reason", got "${res.start}"`);
    const status = Number(statusLine[1]);
    if (STATUS_CODES[status] !== statusLine[2]) {
      throw new Error(`line ${response.line}: the reason phrase of ${status} is "${STATUS_CODES[status]}"`);
    }
    examples.push({
      line: request.line,
      request: { ...req.message, method: requestLine[1] ?? '', path: requestLine[2] ?? '' },
      response: { ...res.message, status },
    });
  }
  return examples;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Documented UUID -> real UUID. Ids the test created itself are bound to themselves. */
export class Bindings {
  private readonly map = new Map<string, string>();

  constructor(fixed: readonly string[] = []) {
    for (const id of fixed) this.map.set(id, id);
  }

  /** `text` with every bound documented UUID replaced by its real value. */
  apply(text: string): string {
    return text.replace(new RegExp(UUID, 'g'), (id) => this.map.get(id) ?? id);
  }

  /** Whether `actual` has the shape of the documented `doc`; binds the UUIDs seen for the first time. */
  matchString(doc: string, actual: string): boolean {
    const captures: string[] = [];
    let pattern = '';
    let last = 0;
    for (const m of doc.matchAll(VOLATILE)) {
      pattern += escapeRegExp(doc.slice(last, m.index));
      last = (m.index ?? 0) + m[0].length;
      const id = m[1];
      if (id === undefined) pattern += ISO_TIME;
      else if (this.map.has(id)) pattern += escapeRegExp(this.map.get(id) ?? '');
      else if (captures.includes(id)) pattern += `\\${captures.indexOf(id) + 1}`;
      else {
        captures.push(id);
        pattern += `(${UUID})`;
      }
    }
    pattern += escapeRegExp(doc.slice(last));
    const found = new RegExp(`^${pattern}$`).exec(actual);
    if (!found) return false;
    captures.forEach((id, i) => this.map.set(id, found[i + 1] ?? ''));
    return true;
  }

  /** Differences between a documented JSON value and the real one (empty when they match). */
  matchJson(doc: unknown, actual: unknown, at = 'body'): string[] {
    if (typeof doc === 'string') {
      return typeof actual === 'string' && this.matchString(doc, actual) ? [] : [`${at}: documented ${JSON.stringify(doc)}, got ${JSON.stringify(actual)}`];
    }
    if (Array.isArray(doc)) {
      if (!Array.isArray(actual) || actual.length !== doc.length) {
        return [`${at}: documented ${doc.length} items, got ${JSON.stringify(actual)}`];
      }
      return doc.flatMap((item, i) => this.matchJson(item, actual[i], `${at}[${i}]`));
    }
    if (doc !== null && typeof doc === 'object') {
      if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: got ${JSON.stringify(actual)}`];
      const docKeys = Object.keys(doc).sort();
      const actualKeys = Object.keys(actual).sort();
      if (docKeys.join() !== actualKeys.join()) return [`${at}: documented keys ${docKeys.join(', ')}, got ${actualKeys.join(', ')}`];
      return docKeys.flatMap((key) =>
        this.matchJson((doc as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${at}.${key}`),
      );
    }
    return Object.is(doc, actual) ? [] : [`${at}: documented ${JSON.stringify(doc)}, got ${JSON.stringify(actual)}`];
  }
}

/**
 * Differences between a documented Prometheus text body and the real one: every documented
 * `# HELP`/`# TYPE` line must appear as is, every sample's series (name and labels) must exist.
 */
export function matchMetricsText(doc: string, actual: string): string[] {
  const lines = new Set(actual.split('\n'));
  const series = new Set([...lines].filter((l) => !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' '))));
  return doc
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      if (line.startsWith('#')) return lines.has(line) ? [] : [`missing line: ${line}`];
      const name = line.slice(0, line.lastIndexOf(' '));
      return series.has(name) ? [] : [`missing series: ${name}`];
    });
}
