// Step-level fusion, once lowering has fixed every shape. A ResNet block ends in Conv → Add(skip) →
// Relu, a transformer sublayer in MatMul → Add(skip): passes over the output that the GEMM epilogue can
// save, computing act((conv + bias) + skip) with the same roundings in the same order as the separate
// steps (docs/determinism.md), in one pass.
import { BINARY, type Value } from './lowering';
import type { Step } from './planner';

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

// Steps whose epilogue adds a skip connection (a fourth input): a conv, and a MatMul with a plain
// matrix B (one GEMM; a batched B runs one per matrix).
const takesSkip = (s: Step | undefined): s is Step => s?.op === 'conv' || (s?.op === 'matmul' && s.inputs[1]!.shape.length === 2);

/** `steps` with each conv or MatMul → add (→ unary) chain whose intermediates nothing else reads merged into one step. */
export function fuseResiduals(steps: Step[], outputs: Value[]): Step[] {
  const readers = new Map<Value, number>();
  for (const s of steps) for (const v of s.inputs) if (v) readers.set(v, (readers.get(v) ?? 0) + 1);
  for (const v of outputs) readers.set(v, (readers.get(v) ?? 0) + 1);
  const producer = new Map<Value, Step>(steps.map((s) => [s.output, s]));
  const onlyFeeds = (v: Value) => readers.get(v) === 1;
  const removed = new Set<Step>();
  const result = steps.map((add) => {
    if (add.op !== 'binary' || add.params.code !== BINARY.Add) return add;
    for (const side of [0, 1]) {
      const gemm = producer.get(add.inputs[side]!);
      const skip = add.inputs[1 - side]!;
      if (!takesSkip(gemm) || gemm.inputs.length > 3 || gemm.params.activation || !onlyFeeds(gemm.output)) continue;
      if (skip.dtype !== 'float32' || !sameShape(skip.shape, gemm.output.shape)) continue;
      removed.add(gemm);
      // At the add's place: the skip value may be computed after the conv or MatMul was.
      return { ...gemm, inputs: [gemm.inputs[0], gemm.inputs[1], gemm.inputs[2], skip], output: add.output };
    }
    return add;
  });
  const fused: Step[] = [];
  for (const s of result) {
    if (removed.has(s)) continue;
    const last = fused[fused.length - 1];
    const fusable = takesSkip(last) && last.inputs.length === 4 && !last.params.activation;
    if (s.op === 'unary' && fusable && s.inputs[0] === last.output && onlyFeeds(last.output)) {
      const act: Record<string, unknown> = { activation: s.params.unary };
      if (s.params.alpha !== undefined) act.activationAlpha = s.params.alpha;
      if (s.params.beta !== undefined) act.activationBeta = s.params.beta;
      fused[fused.length - 1] = { ...last, output: s.output, params: { ...last.params, ...act } };
    } else {
      fused.push(s);
    }
  }
  return fused;
}
