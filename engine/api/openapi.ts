// The OpenAPI 3.1 document, built from the route table and its zod schemas.
import { z } from 'zod';
import { errorCodes } from '../errors.js';
import type { RouteDoc } from './http.js';

const errorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const jsonSchema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

export function openApiDocument(docs: RouteDoc[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of docs) {
    const path = d.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params: Record<string, unknown>[] = [...d.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    // Declared query parameters (any other is refused with a 400).
    for (const [name, schema] of Object.entries(d.query?.shape ?? {}))
      params.push({
        name,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(schema as z.ZodType, 'input'),
      });
    const responses: Record<string, unknown> = {
      [String(d.status)]:
        d.status === 204
          ? { description: 'No content' }
          : { description: 'OK', content: { 'application/json': { schema: d.response ? jsonSchema(d.response, 'output') : {} } } },
    };
    for (const s of d.role === 'none' ? [400, 404] : [400, 401, 403, 404, 409, 413, ...(d.body ? [415] : [])])
      responses[String(s)] = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    paths[path] ??= {};
    paths[path][d.method] = {
      summary: d.summary,
      description: `Role: ${d.role}.`,
      ...(params.length ? { parameters: params } : {}),
      ...(d.role === 'none' ? { security: [] } : {}),
      ...(d.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(d.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Greenlight API',
      version,
      description: 'Review decisions, events, rules and dry-run plans. Every route needs `Authorization: Bearer <token>`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
