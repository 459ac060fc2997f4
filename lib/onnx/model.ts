// Loading an ONNX model into a checked, topologically ordered graph. Everything a hostile or broken
// file could get wrong is rejected here with the node and the problem named.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DType, Tensor } from '../tensor';
import { decodeModel, onnx, safeInt } from './proto';
import { checkedShape, onnxDType, tensorFromProto } from './tensor-proto';

export const IR_VERSIONS = { min: 3, max: 10 } as const;
export const OPSET_VERSIONS = { min: 1, max: 21 } as const;

export interface ValueInfo {
  name: string;
  dtype: DType;
  /** A number, a symbolic name ('N'), or null where the model leaves the dim open. */
  shape: (number | string | null)[] | null;
}

export interface Node {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: onnx.IAttributeProto[];
}

export interface OnnxModel {
  irVersion: number;
  /** Version of the default (ai.onnx) operator set. */
  opset: number;
  producer: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  /** In an order where every node comes after the producers of its inputs. */
  nodes: Node[];
}

/**
 * Loads a model from a file path (external data resolves beside it) or from bytes; `baseDir` says
 * where external data lives when the bytes were read elsewhere.
 */
export function loadModel(source: string | Uint8Array, baseDir?: string): OnnxModel {
  if (typeof source !== 'string') return checkModel(decodeModel(source), baseDir);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw new Error(`model ${source} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return checkModel(decodeModel(bytes), path.dirname(path.resolve(source)));
}

function checkModel(model: onnx.ModelProto, baseDir: string | undefined): OnnxModel {
  const irVersion = safeInt(model.irVersion, 'ir_version');
  if (irVersion < IR_VERSIONS.min || irVersion > IR_VERSIONS.max) {
    throw new RangeError(`model IR version ${irVersion} is not supported (${IR_VERSIONS.min}–${IR_VERSIONS.max})`);
  }
  const opset = defaultOpset(model.opsetImport ?? []);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const initializers = new Map<string, Tensor>();
  for (const [i, t] of (graph.initializer ?? []).entries()) {
    const name = t.name ?? '';
    if (!name) throw new Error(`initializer ${i} has no name`);
    if (initializers.has(name)) throw new Error(`initializer '${name}' is defined twice`);
    initializers.set(name, tensorFromProto(t, baseDir, `initializer '${name}'`));
  }
  // Before IR 4 initializers were also listed as graph inputs; they are weights, not feeds.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => valueInfo(v, 'graph input'));
  const outputs = (graph.output ?? []).map((v) => valueInfo(v, 'graph output'));
  const nodes = orderNodes(graph.node ?? [], new Set([...inputs.map((v) => v.name), ...initializers.keys()]));
  const produced = new Set([...inputs.map((v) => v.name), ...initializers.keys(), ...nodes.flatMap((n) => n.outputs)]);
  for (const o of outputs) if (!produced.has(o.name)) throw new Error(`graph output '${o.name}' is produced by no node, input or initializer`);
  return { irVersion, opset, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(), inputs, outputs, initializers, nodes };
}

function defaultOpset(imports: onnx.IOperatorSetIdProto[]): number {
  const entry = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new Error('model imports no version of the default (ai.onnx) operator set');
  const version = safeInt(entry.version, 'opset_import version');
  if (version < OPSET_VERSIONS.min || version > OPSET_VERSIONS.max) {
    throw new RangeError(`model uses ai.onnx opset ${version}; supported are ${OPSET_VERSIONS.min}–${OPSET_VERSIONS.max}`);
  }
  return version;
}

function valueInfo(v: onnx.IValueInfoProto, what: string): ValueInfo {
  const name = v.name ?? '';
  if (!name) throw new Error(`${what} without a name`);
  const tensorType = v.type?.tensorType;
  if (!tensorType) throw new TypeError(`${what} '${name}' is not a tensor (sequences, maps and optionals are not supported)`);
  const dtype = onnxDType(tensorType.elemType ?? 0, `${what} '${name}'`);
  if (!tensorType.shape) return { name, dtype, shape: null };
  const shape = (tensorType.shape.dim ?? []).map((d, i) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue === null || d.dimValue === undefined) return null;
    return checkedShape([d.dimValue], `${what} '${name}' dim ${i}`)[0];
  });
  return { name, dtype, shape };
}

/** Kahn's algorithm: every node after its inputs' producers; names a node on a cycle or a missing input. */
function orderNodes(protos: onnx.INodeProto[], available: Set<string>): Node[] {
  const nodes: Node[] = protos.map((p, i) => ({
    name: p.name || `#${i}`,
    opType: p.opType ?? '',
    domain: p.domain ?? '',
    inputs: p.input ?? [],
    outputs: p.output ?? [],
    attributes: p.attribute ?? [],
  }));
  const producer = new Map<string, Node>();
  for (const n of nodes) {
    if (!n.opType) throw new Error(`node '${n.name}' has no op_type`);
    for (const o of n.outputs) {
      if (!o) continue;
      if (available.has(o) || producer.has(o)) throw new Error(`node '${n.name}' (${n.opType}): output '${o}' is already defined`);
      producer.set(o, n);
    }
  }
  const waiting = new Map<Node, number>();
  const consumers = new Map<Node, Node[]>();
  for (const n of nodes) {
    let count = 0;
    for (const input of n.inputs) {
      if (!input || available.has(input)) continue; // '' marks an omitted optional input
      const from = producer.get(input);
      if (!from) throw new Error(`node '${n.name}' (${n.opType}): input '${input}' is produced by no node, input or initializer`);
      count++;
      const list = consumers.get(from);
      if (list) list.push(n);
      else consumers.set(from, [n]);
    }
    waiting.set(n, count);
  }
  const ready = nodes.filter((n) => waiting.get(n) === 0);
  const ordered: Node[] = [];
  for (let head = 0; head < ready.length; head++) {
    const n = ready[head];
    ordered.push(n);
    for (const c of consumers.get(n) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (ordered.length !== nodes.length) {
    const stuck = nodes.find((n) => waiting.get(n)! > 0)!;
    throw new Error(`node '${stuck.name}' (${stuck.opType}) is on a cycle: the graph is not a DAG`);
  }
  return ordered;
}
