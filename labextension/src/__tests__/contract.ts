import { readFileSync } from 'fs';
import { join } from 'path';

import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { parse } from 'yaml';

import { Query } from '../http';

/** The REST contract the server implements and `openapi.ts` is generated from. */
export const SPEC_FILE = join(
  __dirname,
  '..',
  '..',
  '..',
  'src',
  'nbvc',
  'server',
  'openapi.yaml'
);

type Json = Record<string, unknown>;

interface IParameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Json;
}

interface IOperation {
  method: string;
  template: string;
  pattern: RegExp;
  pathNames: string[];
  parameters: IParameter[];
  body: { required: boolean; schema: Json } | null;
  responses: Record<string, Json>;
}

/**
 * Checks the model tests' requests and the fake server's answers against `openapi.yaml`, as
 * the Python server tests check the real server's answers: a field renamed on one side only
 * fails a test.
 */
export class Contract {
  private readonly _operations: IOperation[];
  private readonly _components: Json;
  private readonly _ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly _validators = new Map<Json, ValidateFunction>();

  constructor(specFile = SPEC_FILE) {
    const doc = parse(readFileSync(specFile, 'utf-8')) as Json;
    this._components = doc.components as Json;
    this._operations = operationsOf(
      doc.paths as Record<string, Json>,
      this._components
    );
  }

  /** Problems with a request the models made (empty if it is what the contract allows). */
  checkRequest(
    method: string,
    endPoint: string,
    query: Query,
    body: unknown
  ): string[] {
    const where = `${method} ${endPoint}`;
    const found = this._find(method, endPoint);
    if (typeof found === 'string') {
      return [found];
    }
    const [op, pathValues] = found;
    const problems: string[] = [];
    for (const param of op.parameters) {
      const raw =
        param.in === 'path' ? pathValues[param.name] : query[param.name];
      if (raw === undefined) {
        if (param.required) {
          problems.push(`${where}: the parameter ${param.name} is missing`);
        }
        continue;
      }
      const value = coerce(raw, param.schema);
      problems.push(
        ...this._check(param.schema, value, `${where}: ${param.name}`)
      );
    }
    const known = new Set(
      op.parameters.filter(p => p.in === 'query').map(p => p.name)
    );
    for (const name of Object.keys(query)) {
      if (query[name] !== undefined && !known.has(name)) {
        problems.push(`${where}: unknown query parameter ${name}`);
      }
    }
    if (op.body === null) {
      if (body !== undefined) {
        problems.push(`${where}: the operation takes no body`);
      }
    } else if (body === undefined) {
      if (op.body.required) {
        problems.push(`${where}: the body is missing`);
      }
    } else {
      problems.push(...this._check(op.body.schema, body, `${where}: body`));
    }
    return problems;
  }

  /** Problems with an answer: its status must be documented and its body match the schema. */
  checkAnswer(
    method: string,
    endPoint: string,
    status: number | null,
    body: unknown
  ): string[] {
    const where = `${method} ${endPoint}`;
    const found = this._find(method, endPoint);
    if (typeof found === 'string') {
      return [found];
    }
    const [op] = found;
    const code =
      status === null ? successOf(op) : status >= 500 ? null : String(status);
    if (code === null) {
      return []; // a server failure: never documented, nothing to check
    }
    const response = op.responses[code];
    if (response === undefined) {
      return [`${where}: answered ${code}, which the contract does not list`];
    }
    if (status !== null) {
      return []; // an error answer: the fake throws only its message
    }
    const schema = jsonSchemaOf(response, this._components);
    return schema === null
      ? []
      : this._check(schema, body, `${where}: ${code} answer`);
  }

  private _find(
    method: string,
    endPoint: string
  ): [IOperation, Record<string, string>] | string {
    const path = `/nbvc/api/${endPoint}`;
    for (const op of this._operations) {
      const match = op.pattern.exec(path);
      if (match && op.method === method.toLowerCase()) {
        const values: Record<string, string> = {};
        op.pathNames.forEach((name, i) => {
          values[name] = decodeURIComponent(match[i + 1]);
        });
        return [op, values];
      }
    }
    return `${method} ${path} is not in openapi.yaml`;
  }

  private _check(schema: Json, value: unknown, where: string): string[] {
    let validate = this._validators.get(schema);
    if (validate === undefined) {
      validate = this._ajv.compile({
        allOf: [schema],
        components: this._components
      });
      this._validators.set(schema, validate);
    }
    if (validate(value)) {
      return [];
    }
    return (validate.errors ?? []).map(
      e => `${where}${e.instancePath} ${e.message ?? 'is invalid'}`
    );
  }
}

function operationsOf(
  paths: Record<string, Json>,
  components: Json
): IOperation[] {
  const operations: IOperation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const shared = (item.parameters as Json[] | undefined) ?? [];
    const pathNames = [...template.matchAll(/\{([^}]+)\}/g)].map(m => m[1]);
    const pattern = new RegExp(
      '^' + template.replace(/\{[^}]+\}/g, '([^/]+)') + '$'
    );
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method] as Json | undefined;
      if (op === undefined) {
        continue;
      }
      const own = (op.parameters as Json[] | undefined) ?? [];
      const request = op.requestBody as Json | undefined;
      operations.push({
        method,
        template,
        pattern,
        pathNames,
        parameters: [...shared, ...own].map(
          p => resolve(p, components) as unknown as IParameter
        ),
        body:
          request === undefined
            ? null
            : {
                required: request.required === true,
                schema: jsonSchemaOf(request, components) ?? {}
              },
        responses: op.responses as Record<string, Json>
      });
    }
  }
  return operations;
}

/** Follow a `$ref` to `#/components/<kind>/<name>`. */
function resolve(node: Json, components: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') {
    return node;
  }
  const [, , kind, name] = ref.split('/');
  return (components[kind] as Record<string, Json>)[name];
}

function jsonSchemaOf(node: Json, components: Json): Json | null {
  const content = resolve(node, components).content as
    Record<string, { schema: Json }> | undefined;
  return content?.['application/json']?.schema ?? null;
}

function successOf(op: IOperation): string {
  const codes = Object.keys(op.responses).filter(c => c.startsWith('2'));
  return codes.includes('200') ? '200' : codes[0];
}

/** A query value as the server reads it: numbers for integer parameters, lists for arrays. */
function coerce(raw: string | readonly string[], schema: Json): unknown {
  if (schema.type === 'array') {
    return typeof raw === 'string' ? [raw] : [...raw];
  }
  const text = typeof raw === 'string' ? raw : raw[0];
  if (schema.type === 'integer' && /^-?\d+$/.test(text)) {
    return Number(text);
  }
  return text;
}
