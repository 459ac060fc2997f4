// Graph rewrites before planning, each a pattern exporters write and one kernel does better:
//  - Conv followed by BatchNormalization (inference): the normalization folded into the weights;
//  - MatMul followed by Add of a constant bias row: the bias added in the GEMM epilogue;
//  - Conv, Gemm or MatMul followed by Relu, LeakyRelu, Sigmoid, Tanh or Gelu: the activation in the epilogue;
//  - the erf GELU, x·(1 + erf(x/√2))·½, written out: one Gelu;
//  - LayerNorm written out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add): one LayerNormalization.
// A rewrite only fires when the values it swallows feed nothing else and are no graph outputs. The
// result depends only on the graph, so every machine runs the same plan and gets the same bits.
import { tensor, type Tensor } from '../tensor';
import type { Node, OnnxModel } from '../onnx';
import { Attributes } from './attributes';

/** Internal attribute naming the activation fused into a Conv, Gemm or MatMul. */
export const FUSED_ACTIVATION = 'verinfer.activation';
export const FUSED_ALPHA = 'verinfer.activation_alpha';

const ACTIVATIONS: Record<string, string> = { Relu: 'relu', LeakyRelu: 'leakyRelu', Sigmoid: 'sigmoid', Tanh: 'tanh', Gelu: 'gelu' };

class Graph {
  nodes: (Node | undefined)[];
  readonly initializers: Map<string, Tensor>;
  private readonly consumers = new Map<string, number>();
  private readonly producer = new Map<string, number>();

  constructor(private readonly model: OnnxModel) {
    this.nodes = [...model.nodes];
    this.initializers = new Map(model.initializers);
    for (const n of model.nodes) this.count(n.inputs, 1);
    for (const o of model.outputs) this.consumers.set(o.name, (this.consumers.get(o.name) ?? 0) + 1 + 1e6);
    model.nodes.forEach((n, i) => n.outputs.forEach((o) => this.producer.set(o, i)));
  }

  /** The node producing `value`, if that value's only reader is one node (and it is no graph output). */
  soleProducer(value: string, opType?: string): Node | undefined {
    const at = this.producer.get(value);
    const node = at === undefined ? undefined : this.nodes[at];
    if (!node || this.consumers.get(value) !== 1 || (opType && node.opType !== opType) || node.domain) return undefined;
    return node;
  }

  producerOf(value: string): Node | undefined {
    const at = this.producer.get(value);
    return at === undefined ? undefined : this.nodes[at];
  }

  constant(name: string): Tensor | undefined {
    return this.initializers.get(name);
  }

  /** A float32 scalar (or one-element) constant's value. */
  scalar(name: string): number | undefined {
    const t = this.constant(name);
    return t && t.dtype === 'float32' && t.data.length === 1 ? (t.data[0] as number) : undefined;
  }

  remove(node: Node): void {
    this.nodes[this.nodes.indexOf(node)] = undefined;
    this.count(node.inputs, -1);
  }

  replace(old: Node, next: Node): void {
    this.nodes[this.nodes.indexOf(old)] = next;
    next.outputs.forEach((o) => this.producer.set(o, this.nodes.indexOf(next)));
    this.count(old.inputs, -1);
    this.count(next.inputs, 1);
  }

  // Readers are counted as rewrites go, so that a value a rewrite leaves with one reader (a GELU's
  // input, read twice as written out) can be fused in turn.
  private count(inputs: string[], change: number): void {
    for (const i of inputs) if (i) this.consumers.set(i, (this.consumers.get(i) ?? 0) + change);
  }

  result(): OnnxModel {
    return { ...this.model, nodes: this.nodes.filter((n): n is Node => n !== undefined), initializers: this.initializers };
  }
}

const attr = (name: string, value: number | string): Node['attributes'][number] =>
  typeof value === 'string' ? { name, type: 3, s: new TextEncoder().encode(value) } : { name, type: 1, f: value };

function foldBatchNorm(g: Graph): void {
  for (const bn of g.nodes) {
    if (bn?.opType !== 'BatchNormalization' || bn.outputs.slice(1).some((o) => o)) continue;
    const conv = g.soleProducer(bn.inputs[0], 'Conv');
    const w = conv && g.constant(conv.inputs[1]);
    const stats = bn.inputs.slice(1, 5).map((n) => g.constant(n));
    if (!conv || !w || w.dtype !== 'float32' || stats.some((t) => !t || t.dtype !== 'float32')) continue;
    if (conv.attributes.some((a) => a.name === FUSED_ACTIVATION)) continue;
    const [scale, bias, mean, variance] = stats as Tensor<'float32'>[];
    const m = w.shape[0];
    if ([scale, bias, mean, variance].some((t) => t.data.length !== m)) continue;
    const eps = new Attributes(bn).float('epsilon', 1e-5);
    const perChannel = w.data.length / m;
    const weights = w.data as Float32Array;
    const folded = tensor('float32', w.shape);
    const shift = tensor('float32', [m]);
    const oldBias = conv.inputs[2] ? g.constant(conv.inputs[2]) : undefined;
    if (conv.inputs[2] && (!oldBias || oldBias.dtype !== 'float32')) continue;
    for (let c = 0; c < m; c++) {
      const k = scale.data[c] / Math.sqrt(variance.data[c] + eps);
      for (let i = 0; i < perChannel; i++) folded.data[c * perChannel + i] = weights[c * perChannel + i] * k;
      shift.data[c] = ((oldBias ? (oldBias.data[c] as number) : 0) - mean.data[c]) * k + bias.data[c];
    }
    const [wName, bName] = [`${conv.name || conv.outputs[0]}.bn_folded.w`, `${conv.name || conv.outputs[0]}.bn_folded.b`];
    g.initializers.set(wName, folded);
    g.initializers.set(bName, shift);
    g.replace(conv, { ...conv, inputs: [conv.inputs[0], wName, bName], outputs: bn.outputs.slice(0, 1) });
    g.remove(bn);
  }
}

function fuseBias(g: Graph): void {
  for (const add of g.nodes) {
    if (add?.opType !== 'Add') continue;
    for (const [side, other] of [[0, 1], [1, 0]]) {
      const mm = g.soleProducer(add.inputs[side], 'MatMul');
      const bias = g.constant(add.inputs[other]);
      const w = mm && g.constant(mm.inputs[1]);
      if (!mm || mm.inputs.length > 2 || !bias || bias.dtype !== 'float32' || bias.shape.length !== 1 || !w || w.shape.length !== 2 || bias.shape[0] !== w.shape[1]) continue;
      g.replace(mm, { ...mm, inputs: [mm.inputs[0], mm.inputs[1], add.inputs[other]], outputs: add.outputs });
      g.remove(add);
      break;
    }
  }
}

function fuseActivations(g: Graph): void {
  for (const act of g.nodes) {
    if (!act || !(act.opType in ACTIVATIONS)) continue;
    const producer = g.soleProducer(act.inputs[0]);
    if (!producer || !['Conv', 'Gemm', 'MatMul'].includes(producer.opType) || producer.attributes.some((a) => a.name === FUSED_ACTIVATION)) continue;
    const tanhGelu = act.opType === 'Gelu' && new Attributes(act).string('approximate', 'none') === 'tanh';
    const extra = [attr(FUSED_ACTIVATION, tanhGelu ? 'geluTanh' : ACTIVATIONS[act.opType])];
    if (act.opType === 'LeakyRelu') extra.push(attr(FUSED_ALPHA, new Attributes(act).float('alpha', 0.01)));
    g.replace(producer, { ...producer, attributes: [...producer.attributes, ...extra], outputs: act.outputs });
    g.remove(act);
  }
}

/** x·(1 + erf(x/√2))·½ as Div(x, √2) → Erf → Add 1 → Mul x → Mul ½ (or Mul ½ first): one Gelu. */
function fuseGelu(g: Graph): void {
  const near = (v: number | undefined, want: number) => v !== undefined && Math.abs(v - want) < 1e-4;
  for (const erf of g.nodes) {
    if (erf?.opType !== 'Erf') continue;
    const div = g.soleProducer(erf.inputs[0]);
    if (!div || !((div.opType === 'Div' && near(g.scalar(div.inputs[1]), Math.SQRT2)) || (div.opType === 'Mul' && near(g.scalar(div.inputs[1]), Math.SQRT1_2)))) continue;
    const x = div.inputs[0];
    const consumers = g.nodes.filter((n) => n && n.inputs.includes(erf.outputs[0]));
    const add = consumers.length === 1 && consumers[0]!.opType === 'Add' && consumers[0]!.inputs.find((i) => i !== erf.outputs[0]);
    if (!add || !near(g.scalar(add), 1)) continue;
    const plusOne = consumers[0]!;
    const mul1 = g.nodes.find((n) => n?.opType === 'Mul' && n.inputs.includes(plusOne.outputs[0]));
    if (!mul1 || g.soleProducer(plusOne.outputs[0]) !== plusOne) continue;
    const other = mul1.inputs.find((i) => i !== plusOne.outputs[0])!;
    let last: Node | undefined;
    let removed: Node[];
    if (other === x) {
      // (x · (1 + erf)) · ½
      last = g.nodes.find((n) => n?.opType === 'Mul' && n.inputs.includes(mul1.outputs[0]) && near(g.scalar(n.inputs.find((i) => i !== mul1.outputs[0])!), 0.5));
      removed = [div, erf, plusOne, mul1];
      if (!last || g.soleProducer(mul1.outputs[0]) !== mul1) continue;
    } else {
      // (x · ½) · (1 + erf)
      const half = g.soleProducer(other, 'Mul');
      if (!half || !half.inputs.includes(x) || !near(g.scalar(half.inputs.find((i) => i !== x)!), 0.5)) continue;
      last = mul1;
      removed = [div, erf, plusOne, half];
    }
    g.replace(last, { name: last.name, opType: 'Gelu', domain: '', inputs: [x], outputs: last.outputs, attributes: [] });
    removed.forEach((n) => g.remove(n));
  }
}

/** LayerNorm over the last axis written out as nine ops: one LayerNormalization. */
function fuseLayerNorm(g: Graph): void {
  const lastAxis = (n: Node) => {
    const axes = new Attributes(n).ints('axes') ?? (n.inputs[1] ? Array.from((g.constant(n.inputs[1])?.data ?? []) as ArrayLike<number | bigint>, Number) : undefined);
    return axes?.length === 1 && axes[0] === -1 && new Attributes(n).int('keepdims', 1) === 1;
  };
  for (const add of g.nodes) {
    if (add?.opType !== 'Add') continue;
    const mul = g.soleProducer(add.inputs[0], 'Mul');
    const beta = add.inputs[1];
    const div = mul && g.soleProducer(mul.inputs[0], 'Div');
    const gamma = mul?.inputs[1];
    const sqrt = div && g.soleProducer(div.inputs[1], 'Sqrt');
    const addEps = sqrt && g.soleProducer(sqrt.inputs[0], 'Add');
    const eps = addEps && g.scalar(addEps.inputs[1]);
    const varMean = addEps && g.soleProducer(addEps.inputs[0], 'ReduceMean');
    const pow = varMean && g.soleProducer(varMean.inputs[0]);
    const sub = div && g.producerOf(div.inputs[0]);
    if (!mul || !div || !sqrt || !addEps || eps === undefined || !varMean || !pow || !sub || sub.opType !== 'Sub' || !g.constant(gamma!) || !g.constant(beta)) continue;
    const squares = (pow.opType === 'Pow' && g.scalar(pow.inputs[1]) === 2) || (pow.opType === 'Mul' && pow.inputs[0] === pow.inputs[1]);
    const centred = sub.outputs[0];
    const uses = g.nodes.filter((n) => n && n.inputs.includes(centred));
    if (!squares || pow.inputs[0] !== centred || uses.length !== 2 || uses.some((n) => n !== pow && n !== div)) continue;
    const mean = g.soleProducer(sub.inputs[1], 'ReduceMean');
    const x = sub.inputs[0];
    if (!mean || mean.inputs[0] !== x || !lastAxis(mean) || !lastAxis(varMean)) continue;
    g.replace(add, { name: add.name, opType: 'LayerNormalization', domain: '', inputs: [x, gamma!, beta], outputs: add.outputs, attributes: [{ name: 'axis', type: 2, i: -1 }, attr('epsilon', eps)] });
    [mul, div, sqrt, addEps, varMean, pow, sub, mean].forEach((n) => g.remove(n));
  }
}

export function optimizeModel(model: OnnxModel): OnnxModel {
  const g = new Graph(model);
  fuseLayerNorm(g);
  fuseGelu(g);
  foldBatchNorm(g);
  fuseBias(g);
  fuseActivations(g);
  return g.result();
}
