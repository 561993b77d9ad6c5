import fc from 'fast-check';

/**
 * Requests generated from the API's own OpenAPI 3.1 document: for each operation, values
 * its schemas accept mixed with values they must refuse (wrong types, missing and extra
 * fields, huge and unicode strings, NUL bytes, numbers at and past int4/int8 limits,
 * deep JSON), in the path, the query, the headers and the body.
 */
export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Schema }[];
  headerParams: { name: string; schema: Schema }[];
  body?: Schema;
  /** Status -> the error codes documented for it ([] for a success). */
  responses: Map<number, string[]>;
  secured: boolean;
}

type Schema = Record<string, any>;

export function operationsOf(doc: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const params: any[] = op.parameters ?? [];
      const responses = new Map<number, string[]>();
      for (const [status, response] of Object.entries<any>(op.responses)) {
        const codes = /Error codes: (.*)$/.exec(response.description ?? '')?.[1]?.split(', ') ?? [];
        responses.set(Number(status), codes);
      }
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headerParams: params.filter((p) => p.in === 'header').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
        responses,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

const INT4 = 2_147_483_647;
const hostileStrings = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '../../etc/passwd', "' or 1=1 --", '<script>alert(1)</script>', '%00', '%zz', '\u202e', '😀'.repeat(30), 'null', 'undefined'),
  fc.constant('x'.repeat(20_000)),
);
const hostileNumbers = fc.constantFrom(0, -1, 1, INT4, INT4 + 1, -INT4 - 2, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -0, 0.5, 1e-9);
const deepJson = fc.integer({ min: 1, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)));
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepJson, hostileStrings, hostileNumbers, fc.constant(null));

function resolve(schema: Schema, doc: any): Schema {
  if (schema?.$ref) return resolve(schema.$ref.split('/').slice(1).reduce((node: any, key: string) => node[key], doc), doc);
  return schema ?? {};
}

/**
 * Half the time a value the schema accepts (as far as a generator can tell) all through;
 * otherwise one whose parts are each sometimes replaced by anything, with extra fields.
 */
export function valueOf(schema: Schema, doc: any, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (depth > 3) return shaped(s, doc, pools, depth, true);
  return fc.oneof(shaped(s, doc, pools, depth, true), fc.oneof({ weight: 3, arbitrary: shaped(s, doc, pools, depth, false) }, { weight: 1, arbitrary: anyJson }));
}

function shaped(s: Schema, doc: any, pools: Pools, depth: number, strict: boolean): fc.Arbitrary<unknown> {
  const child = (schema: Schema) => (strict ? shaped(resolve(schema, doc), doc, pools, depth + 1, true) : valueOf(schema, doc, pools, depth + 1));
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return fc.oneof(...variants.map((v: Schema) => child(v)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return fc.oneof(fc.uuid(), fc.constantFrom(...pools.ids));
      if (s.format === 'email') {
        const plain = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{1,8}$/)).map(([local, domain]) => `${local}@${domain}.example`);
        return fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: fc.emailAddress() });
      }
      if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 30, 60)) });
    case 'integer':
      return fc.oneof(fc.integer({ min: s.minimum ?? -10, max: Math.min(s.maximum ?? 1000, 1000) }), hostileNumbers.filter(Number.isInteger));
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), hostileNumbers);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(child(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object': {
      const properties: Record<string, Schema> = s.properties ?? {};
      const required = new Set<string>(s.required ?? []);
      const entries = Object.entries(properties).map(([key, value]) => [key, child(value)] as const);
      const known = fc.record(Object.fromEntries(entries), { requiredKeys: [...required].filter((k) => k in properties) });
      if (strict) return known;
      return fc
        .tuple(known, fc.option(fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 2 }), { nil: undefined }))
        .map(([fields, extra]) => ({ ...fields, ...extra }));
    }
    default:
      return anyJson;
  }
}

/** Ids worth trying in paths and bodies: the caller's own resources, other customers', and none. */
export interface Pools {
  ids: string[];
  tokens: (string | undefined)[];
}

export interface GeneratedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export function requestOf(op: Operation, doc: any, pools: Pools): fc.Arbitrary<GeneratedRequest> {
  // An empty segment would address another path (a route of its own, or none): not this operation.
  const hostileSegment = hostileStrings.map((s) => encodeURIComponent(s).slice(0, 3000)).filter((s) => s.length > 0);
  const segment = fc.oneof({ weight: 3, arbitrary: fc.oneof(fc.uuid(), fc.constantFrom(...pools.ids)) }, { weight: 1, arbitrary: hostileSegment });
  const params = fc.tuple(...op.pathParams.map(() => segment));
  const query = fc.record(
    Object.fromEntries(op.queryParams.map((p) => [p.name, valueOf(p.schema, doc, pools).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))])),
    { requiredKeys: [] },
  );
  const idempotencyKey = fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom('', 'has space', 'x'.repeat(65), 'a/b', 'semi;colon') });
  // fetch cannot send a body with GET; other body-less operations get one now and then.
  const body = op.body
    ? fc.option(valueOf(op.body, doc, pools), { nil: undefined, freq: 8 })
    : op.method === 'GET'
      ? fc.constant(undefined)
      : fc.option(anyJson, { nil: undefined, freq: 2 });
  const contentType = fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined);
  return fc.record({ params, query, token: fc.constantFrom(...pools.tokens), key: idempotencyKey, body, contentType }).map(({ params, query, token, key, body, contentType }) => {
    let path = op.path;
    op.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, params[i])));
    const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (op.headerParams.some((h) => h.name === 'idempotency-key')) headers['idempotency-key'] = key;
    if (body !== undefined && contentType) headers['content-type'] = contentType;
    return { method: op.method, url: search ? `${path}?${search}` : path, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  });
}
