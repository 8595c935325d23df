/**
 * The config file's shape, checked with its JSON Schema (docs/config.schema.json, the same file
 * editors use through `"$schema"`), and ajv's first error turned into a message that names the
 * field: `endpoints[0].allowedOrigins[1] must be an origin like https://example.com`.
 *
 * The schema carries those messages in a non-standard `errorMessage` keyword (VS Code's JSON
 * support shows it too); what a schema cannot say (an `env:NAME` that is unset, an endpoint
 * name used twice) is checked in config.ts.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../docs/config.schema.json';
import { fail, ok, type Result } from '../protocol';

/** True for `scheme://host[:port]` with nothing after it (what a browser sends as `Origin`). */
export function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

type SchemaNode = { errorMessage?: string; $ref?: string; properties?: Record<string, SchemaNode> };

let compiled: ValidateFunction | undefined;

/** Compiled once, on first use (a few milliseconds at start). */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ verbose: true, strict: true });
  addFormats(ajv, ['uri']);
  ajv.addFormat('origin', isOrigin);
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  compiled = ajv.compile(schema);
  return compiled;
}

/** `/endpoints/0/allowedOrigins/1` → `endpoints[0].allowedOrigins[1]`. */
function fieldOf(pointer: string): string {
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    field += /^\d+$/.test(part) ? `[${part}]` : field === '' ? part : `.${part}`;
  }
  return field;
}

const definitions = schema.definitions as Record<string, SchemaNode>;

/** A node's own message, or the one of the local definition it refers to. */
function messageOf(node: SchemaNode | undefined): string | undefined {
  if (node?.errorMessage !== undefined) return node.errorMessage;
  const ref = node?.$ref?.replace('#/definitions/', '');
  return ref === undefined ? undefined : definitions[ref]?.errorMessage;
}

const join = (parent: string, child: string) => (parent === '' ? child : `${parent}.${child}`);

function describe(error: ErrorObject): string {
  const at = fieldOf(error.instancePath);
  const parent = error.parentSchema as SchemaNode | undefined;
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: unknown }).additionalProperty);
    const known = Object.keys(parent?.properties ?? {}).filter((key) => !key.startsWith('$'));
    return `${join(at, extra)} is not a known field (expected one of ${known.join(', ')})`;
  }
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: unknown }).missingProperty);
    const rule = messageOf(parent?.properties?.[missing]);
    return `${join(at, missing)} is missing${rule === undefined ? '' : `: it ${rule}`}`;
  }
  const rule = messageOf(parent) ?? error.message ?? 'is not valid';
  return at === '' ? rule : `${at} ${rule}`;
}

/**
 * Checks `raw` against docs/config.schema.json. On failure the message names the first bad
 * field (without the `config: ` prefix, which the caller adds).
 */
export function checkConfigShape(raw: unknown): Result<true> {
  const validate = validator();
  if (validate(raw)) return ok(true);
  // With `anyOf` ajv lists each branch's error before the one for the field itself: the last
  // error is the one that names the field as the schema describes it.
  const errors = validate.errors ?? [];
  const last = errors[errors.length - 1];
  return fail(last ? describe(last) : 'is not valid');
}
