// The node's HTTP API (fastify): inference, receipts, models, health, metrics and the OpenAPI document.
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { receiptToJSON, type Attestation } from '../attest';
import { describe } from '../attest/hex';
import { ModelNotFoundError } from './model-store';
import type { OperatorNode } from './operator-node';
import { RequestError } from './request-error';
import { CancelledError, QueueFullError, ShuttingDownError } from './scheduler';
import * as schemas from './schemas';
import { decodeInputs, encodeOutputs, type WireInputs } from './tensor-codec';

interface InferBody extends WireInputs {
  model: string;
  priority?: number;
}

export async function buildServer(node: OperatorNode, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const { config } = node;
  const app = Fastify({
    logger: options.logger ? { level: 'warn' } : false,
    bodyLimit: Math.round(config.bodyLimitMb * 2 ** 20),
    ajv: { customOptions: { verbose: true, allErrors: false, coerceTypes: false, removeAdditional: false } },
  });
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  // While stopping, each answer closes its connection: idle keep-alive sockets would otherwise hold
  // close() open for the whole keep-alive timeout after the last request in flight is answered.
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'verinfer operator node', version: require('../../../package.json').version as string },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.setErrorHandler(replyWithError);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: Math.round(config.modelLimitMb * 2 ** 20) }, (_req, body, done) => done(null, body));

  app.post<{ Body: InferBody }>('/v1/infer', {
    schema: { summary: 'Run a model; the reply carries the outputs and their attestation', body: schemas.inferBody, response: { 200: schemas.inferReply, '4xx': schemas.errorReply } },
  }, async (request, reply) => {
    const { feeds, encoding } = decodeInputs(request.body);
    const cancel = new AbortController();
    const timer = setTimeout(() => cancel.abort(new TimeoutError(config.requestTimeoutMs)), config.requestTimeoutMs);
    reply.raw.on('close', () => reply.raw.writableFinished || cancel.abort(new CancelledError()));
    try {
      const result = await node.infer({ model: request.body.model, feeds, priority: request.body.priority, signal: cancel.signal });
      return {
        requestId: result.requestId, model: result.modelHash, ...encodeOutputs(result.outputs, encoding),
        attestation: attestationJSON(result.attestation),
        receipt: { state: 'pending', url: `/v1/receipts/${result.requestId}` },
        batch: result.batch, timings: result.timings,
      };
    } catch (error) {
      throw cancel.signal.reason instanceof TimeoutError ? cancel.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  });

  app.get<{ Params: { id: string } }>('/v1/receipts/:id', {
    schema: { summary: 'The attestation of a request and, once its batch is sealed, the receipt (with the commit once on-chain)', params: { type: 'object', properties: { id: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } } } },
  }, async (request) => {
    const status = node.receipt(request.params.id.toLowerCase());
    if (!status) throw new RequestError('id', 'the request id of an attested result', `unknown id ${request.params.id}`, 404);
    return { state: status.state, attestation: attestationJSON(status.attestation), receipt: status.receipt ? receiptToJSON(status.receipt) : null };
  });

  app.get('/v1/models', { schema: { summary: 'Models in the store', response: { 200: { type: 'array', items: schemas.storedModel } } } }, async () => node.store.list());

  app.post<{ Querystring: { alias?: string; hash?: string }; Body: Buffer | { url: string; hash: string; alias?: string } }>('/v1/models', {
    schema: {
      summary: 'Add a model: its bytes as application/octet-stream (?alias=&hash=), or JSON {url, hash, alias}',
      querystring: schemas.addModelQuery,
      body: { content: { 'application/json': { schema: schemas.addModelJson }, 'application/octet-stream': { schema: { description: 'the model file' } } } },
      security: [{ operator: [] }], response: { 200: schemas.storedModel, '4xx': schemas.errorReply },
    },
    onRequest: requireOperator(config.adminToken),
  }, async (request) => {
    const body = request.body;
    if (Buffer.isBuffer(body)) {
      return node.store.add(body, { alias: request.query.alias, expectedHash: request.query.hash, source: 'upload' }).catch(asRequestError('body'));
    }
    return node.store.add(body.url, { alias: body.alias, expectedHash: body.hash }).catch(asRequestError('url'));
  });

  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { summary: 'The node takes requests: not stopping, settlement not failed' } }, async (_request, reply) => {
    const reason = stopping ? 'shutting down' : node.settler.failure ? `settlement stopped: ${node.settler.failure.message}` : undefined;
    if (reason) return reply.code(503).send({ ready: false, reason });
    return { ready: true, operator: node.operator, models: node.store.list().length };
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(node.metrics.registry.contentType);
    return node.metrics.registry.metrics();
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

class TimeoutError extends Error {
  readonly statusCode = 503;
  constructor(ms: number) {
    super(`the request was not answered within ${ms} ms; the node is overloaded`);
  }
}

function attestationJSON(a: Attestation) {
  return { ...a, timestamp: a.timestamp.toString() };
}

function requireOperator(token: string | undefined) {
  const expected = token === undefined ? undefined : createHash('sha256').update(token).digest();
  return async (request: FastifyRequest) => {
    if (!expected) throw new RequestError('authorization', 'operator routes to be enabled (set adminToken)', 'a disabled route', 403);
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // Compared as digests in constant time; the token itself never reaches a log or an error.
    if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      throw new RequestError('authorization', 'Bearer <operator token>', given ? 'a wrong token' : 'no bearer token', 401);
    }
  };
}

function asRequestError(field: string) {
  return (error: Error): never => {
    throw error instanceof RequestError ? error : new RequestError(field, 'a model this node can store and run', error.message, 422);
  };
}

function replyWithError(error: FastifyError & { validation?: { instancePath: string; message?: string; data?: unknown; params: Record<string, unknown> }[] }, request: FastifyRequest, reply: FastifyReply) {
  const send = (statusCode: number, message: string, extra: object = {}) =>
    reply.code(statusCode).send({ statusCode, error: errorName(statusCode), message, ...extra });
  if (error instanceof RequestError) {
    return send(error.statusCode, error.message, { field: error.field, expected: error.expected, received: error.received });
  }
  if (error.validation) {
    const v = error.validation[0];
    const missing = v.params.missingProperty as string | undefined;
    const extra = v.params.additionalProperty as string | undefined;
    const field = `${error.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}${missing ? '.' + missing : extra ? '.' + extra : ''}`;
    const expected = missing ? 'a value (required)' : extra ? 'no such field (not in the schema)' : (v.message ?? 'a valid value').replace(/^must (be )?/, '');
    const received = missing ? 'nothing' : extra ? 'an unknown field' : describe(v.data);
    return send(400, `${field}: expected ${expected}, got ${received}`, { field, expected, received });
  }
  if (error instanceof QueueFullError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    return send(429, error.message);
  }
  if (error instanceof ShuttingDownError || error instanceof TimeoutError) {
    reply.header('retry-after', '1');
    return send(503, error.message);
  }
  if (error instanceof ModelNotFoundError) return send(404, error.message, { field: 'model', expected: 'a model hash or alias in the store', received: JSON.stringify(error.ref) });
  if (error instanceof CancelledError) return send(499, error.message);
  if (typeof error.statusCode === 'number' && error.statusCode < 500) return send(error.statusCode, error.message);
  // The model could not run on what was sent (shapes that disagree inside the graph): the client's inputs.
  if (error instanceof RangeError || error instanceof TypeError) return send(422, `the model cannot run on these inputs: ${error.message}`);
  request.log.error(error);
  return send(500, 'internal error; the operator can find it in the node log');
}

function errorName(statusCode: number): string {
  // 499 (the client went away) is nginx's, not in Node's table.
  return STATUS_CODES[statusCode] ?? (statusCode === 499 ? 'Client Closed Request' : 'Error');
}
