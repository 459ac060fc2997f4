import test from 'ava';
import { native } from '../lib/native';
import { tensor } from '../lib';

// compilePlan is reachable from JS, so a plan that lies about ids, storage or shapes must be refused
// before any kernel runs, never trusted into an out-of-bounds write.
const f32 = (shape: number[], kind: string, slot: number) => ({ dtype: 'float32', shape, kind, slot });
function plan(overrides: Record<string, unknown> = {}) {
  return {
    values: [f32([2, 3], 'input', 0), f32([2, 3], 'arena', 0), f32([2, 3], 'output', 0)],
    constants: [],
    steps: [
      { op: 'unary', inputs: [0], outputs: [1], params: { unary: 'relu' } },
      { op: 'unary', inputs: [1], outputs: [2], params: { unary: 'neg' } },
    ],
    inputs: [0],
    outputs: [2],
    arenaBytes: 64,
    ...overrides,
  };
}

// x [2, 3] · w [3, 3] + skip (a copy of x) into `result`, then copied out.
function matmulWithResidual(skip: ReturnType<typeof f32>, result: ReturnType<typeof f32>) {
  return {
    values: [f32([2, 3], 'input', 0), f32([3, 3], 'constant', 0), skip, result, f32([2, 3], 'output', 0)],
    constants: [tensor('float32', [3, 3])], arenaBytes: 64, outputs: [4],
    steps: [
      { op: 'copy', inputs: [0], outputs: [2], params: {} },
      { op: 'matmul', inputs: [0, 1, -1, 2], outputs: [3], params: {} },
      { op: 'copy', inputs: [3], outputs: [4], params: {} },
    ],
  };
}

test('a valid plan runs every step in one call', async (t) => {
  const handle = native.compilePlan(plan());
  const [y] = await native.runPlan(handle, [tensor('float32', [2, 3], [1, -2, 3, -4, 5, -6])], {});
  t.deepEqual(Array.from(y.data), [-1, -0, -3, -0, -5, -0]);
  t.throws(() => native.runPlan(handle, [tensor('float32', [3, 2])], {}), { message: /inputs\[0\] has shape \[3, 2\], the plan was compiled for \[2, 3\]/ });
  t.throws(() => native.runPlan({}, [], {}), { message: /not a plan made by compilePlan/ });
});

test('plans that lie about storage, ids or shapes are refused', (t) => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['arena too small', { arenaBytes: 8 }, /storage slot out of range/],
    ['input id of an arena value', { inputs: [1] }, /plan input 0 is not a matching value|storage slot/],
    ['output id out of range', { outputs: [9] }, /plan output 0 is not a matching value|storage slot/],
    ['step id out of range', { steps: [{ op: 'unary', inputs: [7], outputs: [2], params: {} }] }, /input id out of range/],
    ['writes into an input', { steps: [{ op: 'unary', inputs: [1], outputs: [0], params: {} }] }, /writes into an input/],
    ['output shape lies', { values: [f32([2, 3], 'input', 0), f32([2, 3], 'arena', 0), f32([64, 64], 'output', 0)] }, /storage slot out of range|output shape \[64, 64\] should be \[2, 3\]/],
    ['conv output lies', {
      values: [f32([1, 1, 4, 4], 'input', 0), f32([1, 1, 3, 3], 'arena', 0), f32([1, 1, 9, 9], 'output', 0)],
      constants: [], arenaBytes: 64,
      steps: [{ op: 'conv', inputs: [0, 1], outputs: [2], params: { kernelShape: [3, 3] } }],
    }, /output shape \[1, 1, 9, 9\] should be \[1, 1, 2, 2\]/],
    ['unknown op', { steps: [{ op: 'explode', inputs: [0], outputs: [2], params: {} }] }, /op must be one of/],
    // The conv would write part of its residual before reading it (the output's own buffer is allowed).
    ['conv residual overlapping the output', {
      values: [f32([1, 1, 4, 4], 'input', 0), f32([1, 1, 3, 3], 'constant', 0), f32([1, 1, 2, 2], 'arena', 0), f32([1, 1, 2, 2], 'arena', 8), f32([1, 1, 2, 2], 'output', 0)],
      constants: [tensor('float32', [1, 1, 3, 3])], arenaBytes: 64, outputs: [4],
      steps: [
        { op: 'conv', inputs: [0, 1], outputs: [2], params: { kernelShape: [3, 3] } },
        { op: 'conv', inputs: [0, 1, -1, 2], outputs: [3], params: { kernelShape: [3, 3] } },
        { op: 'copy', inputs: [3], outputs: [4], params: {} },
      ],
    }, /residual must be the output's buffer or not overlap it/],
    // A pointwise conv reads its input in place while it writes its output.
    ['conv writing over its input', {
      values: [f32([1, 1, 4, 4], 'input', 0), f32([1, 1, 1, 1], 'constant', 0), f32([1, 1, 4, 4], 'arena', 0), f32([1, 1, 4, 4], 'arena', 0), f32([1, 1, 4, 4], 'output', 0)],
      constants: [tensor('float32', [1, 1, 1, 1])], arenaBytes: 64, outputs: [4],
      steps: [
        { op: 'copy', inputs: [0], outputs: [2], params: {} },
        { op: 'conv', inputs: [2, 1], outputs: [3], params: { kernelShape: [1, 1] } },
        { op: 'copy', inputs: [3], outputs: [4], params: {} },
      ],
    }, /input must not overlap the output/],
    // A deep K keeps partials in the output, which would overwrite the residual before it is read.
    ['matmul residual sharing the output\'s buffer', matmulWithResidual(f32([2, 3], 'arena', 0), f32([2, 3], 'arena', 0)), /residual must not overlap the output/],
    ['matmul residual of another shape', matmulWithResidual(f32([3, 2], 'arena', 0), f32([2, 3], 'arena', 32)), /residual shape \[3, 2\] should be the output's/],
  ];
  for (const [what, overrides, message] of bad) t.throws(() => native.compilePlan(plan(overrides)), { message }, what);
});
