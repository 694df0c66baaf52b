import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/infra/process/project-root.js';

/** The part of a JSON Schema (OpenAPI 3.0 flavour) the generators read. */
export interface Schema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  nullable?: boolean;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  allOf?: Schema[];
  discriminator?: { propertyName: string };
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  id: string;
  method: string;
  /** The path template, e.g. `/v1/devices/{id}`. */
  path: string;
  params: Parameter[];
  body: { contentType: string; schema: Schema; required: boolean } | null;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
}

interface RawOperation {
  operationId: string;
  parameters?: { name: string; in: Parameter['in']; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

/** Every operation of `docs/openapi.json`, with `$ref`s resolved. */
export function loadOperations(file = path.join(PROJECT_ROOT, 'docs', 'openapi.json')): Operation[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, RawOperation>>;
    components: { schemas: Record<string, Schema> };
  };
  const resolve = (s: Schema, seen: string[] = []): Schema => {
    if (s.$ref) {
      const name = s.$ref.replace('#/components/schemas/', '');
      if (seen.includes(name)) return { type: 'object' };
      return resolve(doc.components.schemas[name] ?? { type: 'object' }, [...seen, name]);
    }
    // `allOf` of one schema (how Nest writes a property that is a named enum): that schema.
    if (s.allOf?.length === 1) return resolve({ ...s.allOf[0]!, ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'allOf')) }, seen);
    const out: Schema = { ...s };
    if (s.items) out.items = resolve(s.items, seen);
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(v, seen)]));
    if (s.oneOf) out.oneOf = s.oneOf.map((o) => resolve(o, seen));
    return out;
  };
  const ops: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      ops.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path: p,
        params: (op.parameters ?? []).map((x) => ({ name: x.name, in: x.in, required: x.required ?? false, schema: resolve(x.schema ?? { type: 'string' }) })),
        body: content ? { contentType: content[0], schema: resolve(content[1].schema), required: op.requestBody?.required ?? true } : null,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return ops;
}

/** The error codes `docs/errors.md` documents (every backticked upper-case code in its tables). */
export function documentedErrorCodes(file = path.join(PROJECT_ROOT, 'docs', 'errors.md')): Set<string> {
  const codes = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/.exec(line);
    if (m) codes.add(m[1]!);
  }
  return codes;
}
