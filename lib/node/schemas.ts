// JSON schemas of the HTTP API: fastify validates requests with them and the OpenAPI document is built
// from them. Element-level checks (ranges, counts against shapes) happen in tensor-codec.ts, which knows
// the dtype.
import { WIRE_DTYPES } from './tensor-codec';

const hash = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
const integerText = { anyOf: [{ type: 'string', pattern: '^-?[0-9]{1,40}$' }, { type: 'integer' }] } as const;

export const wireTensor = {
  type: 'object',
  required: ['dtype', 'shape', 'data'],
  additionalProperties: false,
  properties: {
    dtype: { type: 'string', enum: WIRE_DTYPES },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 16 },
    data: { description: 'a JSON array of the elements in row-major order, or base64 of their little-endian bytes' },
  },
} as const;

const numberTensor = {
  type: 'object',
  required: ['name', 'values', 'shape'],
  properties: {
    name: { type: 'string', minLength: 1 },
    values: { type: 'array', items: { type: 'object', required: ['value', 'decimals'], properties: { value: integerText, decimals: integerText } } },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 16 },
  },
} as const;

export const modelInput = {
  type: 'object',
  description: "OpenGradient's fixed-point ModelInput: value × 10^-decimals per element",
  properties: {
    numbers: { type: 'array', items: numberTensor },
    strings: { type: 'array', items: { type: 'object', required: ['name', 'values'], properties: { name: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } } } },
  },
} as const;

export const attestation = {
  type: 'object',
  properties: {
    requestId: hash, modelHash: hash, inputHash: hash, outputHash: hash, operator: address,
    timestamp: { type: 'string', description: 'Unix milliseconds' }, runtimeVersion: { type: 'integer' },
  },
} as const;

export const inferBody = {
  type: 'object',
  required: ['model'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 128, description: 'model hash (0x…) or alias' },
    inputs: { type: 'object', additionalProperties: wireTensor, maxProperties: 256, description: 'named input tensors' },
    modelInput,
    encoding: { type: 'string', enum: ['json', 'base64', 'fixed'], description: 'form of the outputs; default: the form the inputs came in' },
    priority: { type: 'integer', minimum: 0, maximum: 9, default: 0, description: 'higher runs first' },
  },
} as const;

export const inferReply = {
  type: 'object',
  properties: {
    requestId: hash,
    model: hash,
    outputs: { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } },
    modelOutput: { type: 'object', additionalProperties: true },
    attestation,
    receipt: { type: 'object', properties: { state: { type: 'string' }, url: { type: 'string' } } },
    batch: { type: 'object', properties: { rows: { type: 'integer' }, requests: { type: 'integer' } } },
    timings: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

export const errorReply = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' },
    field: { type: 'string' }, expected: { type: 'string' }, received: { type: 'string' },
  },
} as const;

export const storedModel = {
  type: 'object',
  properties: {
    hash, aliases: { type: 'array', items: { type: 'string' } }, bytes: { type: 'integer' }, addedAt: { type: 'string' }, source: { type: 'string' },
    inputs: { type: 'array', items: { type: 'object', additionalProperties: true } },
    outputs: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const addModelQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { alias: { type: 'string' }, hash },
} as const;

export const addModelJson = {
  type: 'object',
  required: ['url', 'hash'],
  additionalProperties: false,
  properties: { url: { type: 'string', pattern: '^https?://' }, hash, alias: { type: 'string' } },
} as const;
