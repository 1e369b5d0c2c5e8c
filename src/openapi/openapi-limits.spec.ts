import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown> & { $ref?: string };

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

type Doc = { paths: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/**
 * Walks every schema below `schema` ($refs resolved, each once per path) and reports a string
 * without maxLength (or enum), an array without maxItems and, when `numbers`, a number or integer
 * without minimum and maximum (for integers within int32).
 */
function unboundedIn(doc: Doc, numbers: boolean) {
  const resolve = (ref: string) => ref.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc) as Schema;
  const problems: string[] = [];
  const walk = (schema: Schema | undefined, where: string, seen: ReadonlySet<string>): void => {
    if (!schema) return;
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return;
      walk(resolve(schema.$ref), `${where}(${schema.$ref.split('/').pop()})`, new Set([...seen, schema.$ref]));
      return;
    }
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) for (const part of (schema[key] as Schema[] | undefined) ?? []) walk(part, where, seen);
    if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) problems.push(`${where}: string without maxLength`);
    if (schema.type === 'array') {
      if (schema.maxItems === undefined) problems.push(`${where}: array without maxItems`);
      walk(schema.items as Schema, `${where}[]`, seen);
    }
    if (numbers && (schema.type === 'integer' || schema.type === 'number')) {
      const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
      if (minimum === undefined || maximum === undefined) problems.push(`${where}: ${schema.type} without minimum and maximum`);
      else if (schema.type === 'integer' && (minimum < INT32_MIN || maximum > INT32_MAX)) problems.push(`${where}: integer bounds beyond int32`);
    }
    for (const [name, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) walk(property, `${where}.${name}`, seen);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(schema.additionalProperties as Schema, `${where}{}`, seen);
  };
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => operation && typeof operation === 'object' && (operation as { responses?: unknown }).responses)
        .map(([method, operation]) => ({ item, where: `${method.toUpperCase()} ${path}`, op: operation as { parameters?: Schema[]; requestBody?: Schema; responses: Record<string, Schema> } })),
    );
  const media = (holder: Schema | undefined) => Object.entries((holder?.content as Record<string, { schema?: Schema }> | undefined) ?? {});
  return { resolve, problems, walk, operations, media };
}

/**
 * What the API accepts (parameters and request bodies, $refs resolved) that has no bound: a
 * string without maxLength, an array without maxItems, a number or integer without minimum and
 * maximum (for integers within int32).
 */
export function unboundedInputs(doc: Doc): string[] {
  const { resolve, problems, walk, operations, media } = unboundedIn(doc, true);
  for (const { item, where, op } of operations()) {
    for (const raw of [...((item.parameters as Schema[] | undefined) ?? []), ...(op.parameters ?? [])]) {
      const parameter = (raw.$ref ? resolve(raw.$ref) : raw) as { in: string; name: string; schema?: Schema };
      walk(parameter.schema, `${where} ${parameter.in}:${parameter.name}`, new Set());
    }
    const body = op.requestBody?.$ref ? resolve(op.requestBody.$ref) : op.requestBody;
    for (const [, m] of media(body)) walk(m.schema, `${where} body`, new Set());
  }
  return problems;
}

/**
 * What the API answers with (every response's body and headers, $refs resolved) that has no
 * bound: a string without maxLength, an array without maxItems. A streamed file has no schema.
 */
export function unboundedOutputs(doc: Doc): string[] {
  const { resolve, problems, walk, operations, media } = unboundedIn(doc, false);
  for (const { where, op } of operations()) {
    for (const [status, raw] of Object.entries(op.responses)) {
      const response = raw.$ref ? resolve(raw.$ref) : raw;
      for (const [type, m] of media(response)) walk(m.schema, `${where} ${status} ${type}`, new Set());
      for (const [name, header] of Object.entries((response.headers as Record<string, Schema> | undefined) ?? {})) {
        walk((header.$ref ? resolve(header.$ref) : header).schema as Schema, `${where} ${status} header:${name}`, new Set());
      }
    }
  }
  return problems;
}

describe('the contract bounds every input', () => {
  it('finds an unbounded string, array and integer when there is one', () => {
    const doc = {
      paths: {
        '/x': {
          post: {
            responses: {},
            parameters: [{ in: 'query', name: 'q', schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } } },
          },
        },
      },
      components: { schemas: { X: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string', maxLength: 36 } }, n: { type: 'integer', minimum: 0, maximum: 2 ** 40 } } } } },
    };
    expect(unboundedInputs(doc)).toEqual([
      'POST /x query:q: string without maxLength',
      'POST /x body(X).ids: array without maxItems',
      'POST /x body(X).n: integer bounds beyond int32',
    ]);
  });

  it('openapi/openapi.json sets maxLength on every string, maxItems on every array and int32 bounds on every number it accepts', () => {
    const doc = JSON.parse(readFileSync(join(process.cwd(), 'openapi/openapi.json'), 'utf8'));
    expect(unboundedInputs(doc)).toEqual([]);
  });
});

describe('the contract bounds every answer', () => {
  it('finds an unbounded string and array in a response body or header when there is one', () => {
    const doc = {
      paths: {
        '/x': {
          get: {
            responses: {
              '200': {
                headers: { 'X-Note': { schema: { type: 'string' } } },
                content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } }, 'text/csv': {} },
              },
            },
          },
        },
      },
      components: { schemas: { X: { type: 'object', properties: { items: { type: 'array', items: { type: 'string', maxLength: 3 } }, code: { type: 'string', enum: ['a'] } } } } },
    };
    expect(unboundedOutputs(doc)).toEqual(['GET /x 200 application/json(X).items: array without maxItems', 'GET /x 200 header:X-Note: string without maxLength']);
  });

  it('openapi/openapi.json sets maxLength on every string and maxItems on every array it answers with, headers included', () => {
    const doc = JSON.parse(readFileSync(join(process.cwd(), 'openapi/openapi.json'), 'utf8'));
    expect(unboundedOutputs(doc)).toEqual([]);
  });
});
