import { Client } from './harness.ts';

/** The parts of the store's OpenAPI document the security tests read. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  examples?: unknown[];
  minItems?: number;
}
export interface Operation {
  tags?: string[];
  parameters?: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
export interface Op {
  method: string;
  path: string;
  op: Operation;
}

export async function operations(baseUrl: string): Promise<Op[]> {
  const spec = (await new Client(baseUrl).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** A valid example of a schema with only its required parts; `uuid` strings come from `uuid(name)`. */
export function example(s: Schema | undefined, uuid: (field: string) => string, field = ''): unknown {
  if (!s) return undefined;
  if (s.const !== undefined) return s.const;
  if (s.examples?.length) return s.examples[0];
  if (s.enum) return s.enum[0];
  if (s.anyOf) return example(s.anyOf.find((x) => x.type !== 'null') ?? s.anyOf[0], uuid, field);
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, example(s.properties?.[k], uuid, k)]));
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => example(s.items, uuid, field));
    case 'integer':
    case 'number':
      return s.minimum ?? 0;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'uuid') return uuid(field);
      if (s.format === 'date-time') return '2026-12-24T09:00:00.000Z';
      if (s.format === 'date') return '2026-12-24';
      if (s.format === 'email') return `someone-${field || 'x'}@example.test`;
      if (s.pattern) return ['US', 'en', 'USD', 'standard', 'a-slug', 'x'].find((c) => new RegExp(s.pattern!).test(c)) ?? 'x';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return undefined;
  }
}

/** Fills an operation's path, query and body with valid examples; path parameters from `param(name)`. */
export function request(o: Op, param: (name: string) => string, uuid: (field: string) => string) {
  const path = o.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(param(name)));
  const query = new URLSearchParams();
  for (const p of o.op.parameters ?? []) if (p.in === 'query' && p.required) query.set(p.name, String(example(p.schema, uuid, p.name)));
  const schema = o.op.requestBody?.content?.['application/json']?.schema;
  const body = o.method === 'GET' || o.method === 'DELETE' ? undefined : schema ? example(schema, uuid) : {};
  return { url: `${path}${query.size ? `?${query}` : ''}`, body };
}
