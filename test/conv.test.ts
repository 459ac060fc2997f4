import test from 'ava';
import { ops, tensor } from '../lib';
import { randomTensor } from './helpers';

interface Win { kh: number; kw: number; sh: number; sw: number; pads: [number, number, number, number]; dh: number; dw: number }

function outSize(inp: number, k: number, s: number, d: number, p0: number, p1: number, ceil = false): number {
  const span = (k - 1) * d + 1, padded = inp + p0 + p1;
  if (!ceil) return Math.floor((padded - span) / s) + 1;
  let o = Math.ceil((padded - span) / s) + 1;
  if ((o - 1) * s >= inp + p0) o--;
  return o;
}

function refConv(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | null, g: number, win: Win) {
  const [n, c, h, wd] = xs, [m, cg, kh, kw] = ws;
  const oh = outSize(h, kh, win.sh, win.dh, win.pads[0], win.pads[2]), ow = outSize(wd, kw, win.sw, win.dw, win.pads[1], win.pads[3]);
  const y = new Float64Array(n * m * oh * ow), bound = new Float64Array(y.length);
  const mg = m / g;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < m; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = bias ? bias[o] : 0, abs = Math.abs(s);
          const gi = Math.floor(o / mg);
          for (let ci = 0; ci < cg; ci++)
            for (let r = 0; r < kh; r++)
              for (let q = 0; q < kw; q++) {
                const iy = i * win.sh - win.pads[0] + r * win.dh, ix = j * win.sw - win.pads[1] + q * win.dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const v = x[((b * c + gi * cg + ci) * h + iy) * wd + ix] * w[((o * cg + ci) * kh + r) * kw + q];
                s += v;
                abs += Math.abs(v);
              }
          y[((b * m + o) * oh + i) * ow + j] = s;
          bound[((b * m + o) * oh + i) * ow + j] = abs;
        }
  return { y, bound, shape: [n, m, oh, ow] };
}

test('conv2d: strides, pads, dilations, groups, depthwise and bias match float64', async (t) => {
  const configs: [number[], number[], number, Win][] = [
    [[1, 3, 9, 11], [4, 3, 3, 3], 1, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    [[2, 4, 13, 7], [6, 2, 3, 2], 2, { kh: 3, kw: 2, sh: 2, sw: 1, pads: [0, 1, 2, 0], dh: 1, dw: 2 }],
    [[1, 8, 10, 10], [8, 1, 3, 3], 8, { kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    [[3, 5, 6, 6], [7, 5, 1, 1], 1, { kh: 1, kw: 1, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 }],
    [[1, 2, 17, 17], [3, 2, 5, 5], 1, { kh: 5, kw: 5, sh: 3, sw: 3, pads: [2, 2, 2, 2], dh: 2, dw: 2 }],
    // Enough column blocks for the schedule that runs im2col and GEMM per block (a ragged last panel),
    // grouped and not; under 16 output channels, so not Winograd.
    [[2, 64, 30, 30], [12, 64, 3, 3], 1, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    [[1, 32, 48, 48], [12, 16, 3, 3], 2, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    // Pointwise convs: over several column blocks, their input rows packed as they stand (900 pixels,
    // not whole or half panels) or read in place (784, a last half panel); grouped, over one block
    // of whole panels, read in place.
    [[4, 256, 30, 30], [24, 256, 1, 1], 1, { kh: 1, kw: 1, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 }],
    [[4, 64, 28, 28], [24, 64, 1, 1], 1, { kh: 1, kw: 1, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 }],
    [[1, 32, 16, 16], [20, 16, 1, 1], 2, { kh: 1, kw: 1, sh: 1, sw: 1, pads: [0, 0, 0, 0], dh: 1, dw: 1 }],
    // Rows wider than a vector at strides 2 and 3 (a ResNet-like 7x7/2 stem; a dilated stride-3 window).
    [[1, 3, 40, 71], [4, 3, 7, 7], 1, { kh: 7, kw: 7, sh: 2, sw: 2, pads: [3, 3, 3, 3], dh: 1, dw: 1 }],
    [[1, 2, 9, 80], [3, 2, 2, 3], 1, { kh: 2, kw: 3, sh: 1, sw: 3, pads: [0, 2, 1, 1], dh: 1, dw: 2 }],
    // Up to 4 input channels, undilated: direct, from a padded copy split into the stride's column
    // phases (ragged blocks of output channels, asymmetric pads, stride 3 across, maps 1 and 2 wide).
    [[3, 3, 11, 37], [13, 3, 3, 3], 1, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [0, 2, 1, 1], dh: 1, dw: 1 }],
    [[2, 4, 15, 50], [9, 4, 5, 4], 1, { kh: 5, kw: 4, sh: 2, sw: 3, pads: [2, 0, 1, 3], dh: 1, dw: 1 }],
    [[2, 1, 9, 1], [5, 1, 3, 3], 1, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    [[1, 2, 6, 2], [17, 2, 2, 2], 1, { kh: 2, kw: 2, sh: 2, sw: 2, pads: [0, 0, 0, 0], dh: 1, dw: 1 }],
    // Maps that fill 32-wide panels worse than their output channels do: output pixels become the
    // GEMM's rows (7x7 maps, grouped, strided, ragged pixel micro-panels).
    [[2, 64, 7, 7], [64, 64, 3, 3], 1, { kh: 3, kw: 3, sh: 1, sw: 1, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
    [[1, 64, 14, 13], [96, 32, 3, 3], 2, { kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], dh: 1, dw: 1 }],
  ];
  let seed = 1;
  for (const [xs, ws, group, win] of configs) {
    const x = randomTensor(xs, seed++), w = randomTensor(ws, seed++), bias = randomTensor([ws[0]], seed++);
    const y = await ops.conv2d(x, w, bias, { group, strides: [win.sh, win.sw], pads: win.pads, dilations: [win.dh, win.dw] });
    const ref = refConv(x.data, xs, w.data, ws, bias.data, group, win);
    t.deepEqual(y.shape, ref.shape);
    const k = ws[1] * ws[2] * ws[3];
    const bad = [...y.data].findIndex((v, i) => !(Math.abs(v - ref.y[i]) <= (k + 4) * 2 ** -24 * ref.bound[i] + 1e-30));
    t.is(bad, -1, `config ${JSON.stringify(xs)} ${JSON.stringify(ws)} at ${bad}: ${y.data[bad]} vs ${ref.y[bad]}`);
  }
});

for (const [name, hw] of [['a 3x3 map (pixels as GEMM rows)', 4], ['a 7x7 map (its 49th pixel by the GEMM tail tile)', 8]] as const)
  test(`a conv output does not depend on the schedule: ${name} equals the same pixels of a map 64 wide`, async (t) => {
    const c = 64, m = 64, out = hw - 1;
    // A 2x2 kernel: 3x3 stride-1 convs with this many channels run as Winograd, whose tiles follow the map.
    const small = randomTensor([1, c, hw, hw], 70), w = randomTensor([m, c, 2, 2], 71), bias = randomTensor([m], 72);
    // The same planes as the first columns of planes 65 wide: with no padding, output columns
    // 0..out-1 see the same inputs, and the 64-wide output rows fill whole GEMM panels.
    const wide = randomTensor([1, c, hw, 65], 73);
    for (let p = 0; p < c * hw; p++) wide.data.set(small.data.subarray(p * hw, (p + 1) * hw), p * 65);
    const ySmall = await ops.conv2d(small, w, bias, { activation: 'relu' });
    const yWide = await ops.conv2d(wide, w, bias, { activation: 'relu' });
    t.deepEqual(ySmall.shape, [1, m, out, out]);
    t.deepEqual(yWide.shape, [1, m, out, 64]);
    for (let row = 0; row < m * out; row++)
      t.deepEqual([...ySmall.data.subarray(row * out, (row + 1) * out)], [...yWide.data.subarray(row * 64, row * 64 + out)], `channel row ${row}`);
  });

test('a direct conv (few input channels) gives the bits of the im2col GEMM: zero-weight channels put first leave the chain at +0', async (t) => {
  // The same conv with 2 extra leading input channels of zero weights has 5 channels, too many to run
  // direct; fma(0, x, +0) = +0 for finite x, so its chains are the direct conv's, step for step.
  // With ceilMode the last windows overhang the pads: zeros there too, as in im2col.
  for (const [hw, k, stride, pad, ceilMode] of [[32, 3, 1, 1, false], [45, 7, 2, 3, false], [20, 4, 3, 0, false], [20, 3, 2, 0, true], [50, 7, 7, 0, true]] as const) {
    const x = randomTensor([2, 3, hw, hw], 80 + k), w = randomTensor([20, 3, k, k], 81 + k), bias = randomTensor([20], 82 + k);
    const wide = randomTensor([2, 5, hw, hw], 83 + k), wideW = tensor('float32', [20, 5, k, k]);
    for (let b = 0; b < 2; b++) wide.data.set(x.data.subarray(b * 3 * hw * hw, (b + 1) * 3 * hw * hw), (b * 5 + 2) * hw * hw);
    for (let o = 0; o < 20; o++) wideW.data.set(w.data.subarray(o * 3 * k * k, (o + 1) * 3 * k * k), (o * 5 + 2) * k * k);
    const options = { strides: [stride, stride] as [number, number], pads: [pad, pad, pad, pad] as [number, number, number, number], ceilMode, activation: 'relu' as const };
    const direct = await ops.conv2d(x, w, bias, options);
    const gemm = await ops.conv2d(wide, wideW, bias, options);
    t.deepEqual(direct.shape, gemm.shape);
    t.true(Buffer.from(direct.data.buffer).equals(Buffer.from(gemm.data.buffer)), `${k}x${k}/${stride} on ${hw}x${hw}, ceilMode ${ceilMode}`);
  }
});

test('a conv over zero input channels gives the bias, then the activation', async (t) => {
  const bias = tensor('float32', [2], [0.5, -0.25]);
  const y = await ops.conv2d(tensor('float32', [1, 0, 4, 4]), tensor('float32', [2, 0, 3, 3]), bias, { activation: 'relu' });
  t.deepEqual(y.shape, [1, 2, 2, 2]);
  t.deepEqual([...y.data], [0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
});

// Winograd F(2x2, 3x3) and F(4x4, 3x3) (native/core/winograd.h) in float64, as absolute values: the
// bound of each output's rounding error is (C + steps) * 2^-24 times A^T (|U| . |V|) A summed over the
// channels, with |U| = |G| |g| |G|^T and |V| = |B^T| |d| |B| (docs/determinism.md derives it): the
// chain's C roundings plus those of the transforms and the epilogue.
interface Scheme { tile: number; steps: number; BT: number[][]; G: number[][]; AT: number[][] }
const F2: Scheme = {
  tile: 2, steps: 12,
  BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
  G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
  AT: [[1, 1, 1, 0], [0, 1, -1, -1]],
};
const F4: Scheme = {
  tile: 4, steps: 32,
  BT: [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
  G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
  AT: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
};
const absProduct = (a: number[][], b: number[][]) => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + Math.abs(v) * Math.abs(b[k][j]), 0)));
const transpose = (a: number[][]) => a[0].map((_, j) => a.map((row) => row[j]));

function winogradBound(f: Scheme, x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array, pads: number[], b: number, o: number, i: number, j: number) {
  const [, c, h, wd] = xs;
  const alpha = f.tile + 2, taps = [...Array(alpha).keys()];
  const ty = Math.floor(i / f.tile), tx = Math.floor(j / f.tile), r = i % f.tile, q = j % f.tile;
  let sum = Math.abs(bias[o]);
  for (let ci = 0; ci < c; ci++) {
    const g = [0, 1, 2].map((a) => [0, 1, 2].map((s) => w[((o * c + ci) * 3 + a) * 3 + s]));
    const d = taps.map((a) => taps.map((s) => {
      const iy = ty * f.tile - pads[0] + a, ix = tx * f.tile - pads[1] + s;
      return iy < 0 || iy >= h || ix < 0 || ix >= wd ? 0 : x[((b * c + ci) * h + iy) * wd + ix];
    }));
    const u = absProduct(absProduct(f.G, g), transpose(f.G)), v = absProduct(absProduct(f.BT, d), transpose(f.BT));
    for (const a of taps)
      for (const s of taps) sum += Math.abs(f.AT[r][a]) * Math.abs(f.AT[q][s]) * u[a][s] * v[a][s];
  }
  return sum;
}

test('3x3 stride-1 convs with 16+ channels (Winograd, F(4x4, 3x3) on maps of 16x16 and up) match float64 within the transforms\' bound', async (t) => {
  const configs: [number[], number[], [number, number, number, number], Scheme][] = [
    [[2, 16, 12, 13], [16, 16, 3, 3], [1, 1, 1, 1], F2],  // a ragged last panel of tiles, an odd width
    [[1, 21, 17, 9], [19, 21, 3, 3], [0, 2, 1, 1], F2],   // asymmetric pads, an odd height, odd channel counts
    [[1, 70, 18, 14], [20, 70, 3, 3], [0, 0, 0, 0], F2],  // many channels, a 16x12 map
    [[1, 16, 67, 1], [16, 16, 3, 3], [1, 1, 1, 1], F2],   // one column: each tile row holds one half-empty tile
    [[1, 70, 18, 18], [20, 70, 3, 3], [0, 0, 0, 0], F4],  // 16x16 exactly
    [[3, 16, 19, 17], [24, 16, 3, 3], [1, 2, 0, 1], F4],  // asymmetric pads, ragged edge tiles, panels across images
  ];
  let seed = 80;
  for (const [xs, ws, pads, f] of configs) {
    const x = randomTensor(xs, seed++), w = randomTensor(ws, seed++), bias = randomTensor([ws[0]], seed++);
    const y = await ops.conv2d(x, w, bias, { pads });
    const win = { kh: 3, kw: 3, sh: 1, sw: 1, pads, dh: 1, dw: 1 };
    const ref = refConv(x.data, xs, w.data, ws, bias.data, 1, win);
    t.deepEqual(y.shape, ref.shape);
    const [n, m, oh, ow] = ref.shape;
    let worst = 0;
    for (let b = 0; b < n; b++)
      for (let o = 0; o < m; o++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const at = ((b * m + o) * oh + i) * ow + j;
            const tol = (xs[1] + f.steps) * 2 ** -24 * winogradBound(f, x.data, xs, w.data, ws, bias.data, pads, b, o, i, j) + 4 * 2 ** -24 * Math.abs(ref.y[at]);
            const err = Math.abs(y.data[at] - ref.y[at]);
            if (!(err <= tol)) return t.fail(`${JSON.stringify(xs)} x ${JSON.stringify(ws)}: output ${at} is ${y.data[at]}, expected ${ref.y[at]} (tolerance ${tol})`);
            worst = Math.max(worst, err / tol);
          }
    t.true(worst > 0, 'some rounding error is expected of the transforms');
    t.log(`F(${f.tile}x${f.tile}, 3x3) ${JSON.stringify(xs)} x ${JSON.stringify(ws)}: worst error ${worst.toFixed(3)} of the bound`);
  }
});

test('a Winograd conv applies its bias and any activation as the separate ops would, bit for bit', async (t) => {
  const x = randomTensor([2, 16, 12, 11], 90), w = randomTensor([20, 16, 3, 3], 91), bias = randomTensor([20], 92);
  const plain = await ops.conv2d(x, w, null, { pads: [1, 1, 1, 1] });
  const withBias = await ops.conv2d(x, w, bias, { pads: [1, 1, 1, 1] });
  t.deepEqual(withBias.data, (await ops.binary('add', plain, tensor('float32', [20, 1, 1], bias.data))).data);
  for (const activation of ['sigmoid', 'gelu', 'leakyRelu'] as const) {
    const fused = await ops.conv2d(x, w, bias, { pads: [1, 1, 1, 1], activation, activationAlpha: 0.1 });
    t.deepEqual(fused.data, (await ops.unary(activation, withBias, { alpha: 0.1 })).data, activation);
  }
});

function refPool(kind: 'max' | 'average', x: Float32Array, xs: number[], k: number, s: number, pads: number[], ceil: boolean, includePad: boolean, d = 1) {
  const [n, c, h, w] = xs;
  const oh = outSize(h, k, s, d, pads[0], pads[2], ceil), ow = outSize(w, k, s, d, pads[1], pads[3], ceil);
  const y = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let acc = kind === 'max' ? -Infinity : 0, valid = 0, padded = 0;
        for (let r = 0; r < k; r++)
          for (let q = 0; q < k; q++) {
            const iy = i * s - pads[0] + r * d, ix = j * s - pads[1] + q * d;
            if (iy < h + pads[2] && ix < w + pads[3]) padded++;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const v = x[(p * h + iy) * w + ix];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
            valid++;
          }
        y[(p * oh + i) * ow + j] = kind === 'max' ? acc : acc / (includePad ? padded : valid);
      }
  return { y, shape: [n, c, oh, ow] };
}

test('max and average pooling: pads, ceil mode, count_include_pad both ways', async (t) => {
  const x = randomTensor([2, 3, 11, 10], 50);
  for (const ceil of [false, true])
    for (const includePad of [false, true])
      for (const [k, s, pads] of [[3, 2, [1, 1, 1, 1]], [2, 2, [0, 0, 0, 0]], [3, 3, [0, 1, 1, 0]]] as const)
        for (const kind of ['max', 'average'] as const) {
          const y = await ops.pool2d(kind, x, { kernelShape: [k, k], strides: [s, s], pads: [...pads], ceilMode: ceil, countIncludePad: includePad });
          const ref = refPool(kind, x.data, x.shape, k, s, [...pads], ceil, includePad);
          t.deepEqual(y.shape, ref.shape, `${kind} k${k} s${s} ceil ${ceil}`);
          const bad = [...y.data].findIndex((v, i) => Math.abs(v - ref.y[i]) > 1e-6 * (1 + Math.abs(ref.y[i])));
          t.is(bad, -1, `${kind} k${k} s${s} ceil ${ceil} pad ${includePad} at ${bad}`);
        }
});

test('max pooling over rows wider than a vector: strides 1 to 3, dilations, pads', async (t) => {
  const x = randomTensor([2, 3, 9, 75], 51);
  for (const [k, s, d, pads] of [[3, 1, 1, [1, 1, 1, 1]], [2, 2, 1, [0, 0, 0, 0]], [2, 2, 1, [1, 1, 1, 0]], [3, 2, 2, [2, 3, 2, 1]], [3, 3, 1, [1, 2, 0, 0]]] as const) {
    const y = await ops.pool2d('max', x, { kernelShape: [k, k], strides: [s, s], dilations: [d, d], pads: [...pads] });
    const ref = refPool('max', x.data, x.shape, k, s, [...pads], false, false, d);
    t.deepEqual(y.shape, ref.shape);
    t.deepEqual([...y.data], [...ref.y], `k${k} s${s} d${d}`);
  }
});

test('max pooling: a NaN in the window wins, +0 is above -0', async (t) => {
  // One row of 2x1 windows with stride 2: [1, NaN], [NaN, 2], [-0, +0], [+0, -0], [-0, -0], [-Inf, -Inf].
  const row = [1, NaN, NaN, 2, -0, 0, 0, -0, -0, -0, -Infinity, -Infinity];
  const x = { dtype: 'float32' as const, shape: [1, 1, 1, row.length], data: new Float32Array(row) };
  const y = await ops.pool2d('max', x, { kernelShape: [1, 2], strides: [1, 2] });
  t.deepEqual([...y.data], [NaN, NaN, 0, 0, -0, -Infinity]);
  t.true(Object.is(y.data[2], 0) && Object.is(y.data[3], 0) && Object.is(y.data[4], -0));
});

test('max pooling: of two NaNs in a window, the first in tap order wins, payload and all', async (t) => {
  // 2x2 windows at stride 2 over a 2 x 32 plane: output j sees NaN payload A at tap j % 4 and B at the next
  // tap (when there is one); the rest are ordinary values.
  const w = 32, bits = new Uint32Array(2 * w);
  const x = { dtype: 'float32' as const, shape: [1, 1, 2, w], data: new Float32Array(bits.buffer) };
  for (let i = 0; i < bits.length; i++) x.data[i] = i - 20;
  const [nanA, nanB] = [0x7fc00001, 0xffc00002];
  const tapIndex = (j: number, tap: number) => (tap >> 1) * w + 2 * j + (tap & 1);
  for (let j = 0; j < w / 2; j++) {
    bits[tapIndex(j, j % 4)] = nanA;
    if (j % 4 < 3) bits[tapIndex(j, (j % 4) + 1)] = nanB;
  }
  const y = await ops.pool2d('max', x, { kernelShape: [2, 2], strides: [2, 2] });
  t.deepEqual([...new Uint32Array(y.data.buffer, y.data.byteOffset, y.data.length)], new Array(w / 2).fill(nanA));
});

test('max pooling: planes with and without NaN, ±0 ties and infinities give the bits of the tap-order rule', async (t) => {
  // Planes of 128 x 130 floats (just over the 16K floats of max_pool_planes' check) are checked one at a
  // time: plane 0 is all finite and takes the short max, plane 1 has NaNs and infinities and takes the
  // general one. The values come from a small set, so windows often tie, ±0 among them.
  const [h, w] = [128, 130], values = [-0, 0, -1, 1, -2.5, 2.5];
  const x = { dtype: 'float32' as const, shape: [1, 2, h, w], data: new Float32Array(2 * h * w) };
  let seed = 7;
  for (let i = 0; i < x.data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x.data[i] = values[(seed >>> 16) % values.length];
  }
  for (let i = h * w; i < 2 * h * w; i += 97) x.data[i] = [NaN, Infinity, -Infinity][i % 3];
  const bitsOf = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
  for (const [k, s, pads] of [[3, 2, [1, 1, 1, 1]], [3, 1, [1, 1, 1, 1]], [5, 1, [2, 2, 2, 2]]] as const) {
    const y = await ops.pool2d('max', x, { kernelShape: [k, k], strides: [s, s], pads: [...pads] });
    const ref = refPool('max', x.data, x.shape, k, s, [...pads], false, false);
    // The reference's NaNs come out of Math.max with other bits than the input's; the kernel keeps the input's.
    const want = Float32Array.from(ref.y, (v) => (Number.isNaN(v) ? NaN : v));
    t.deepEqual(bitsOf(y.data), bitsOf(want), `k${k} s${s}`);
  }
});

test('global pooling', async (t) => {
  const x = randomTensor([2, 5, 7, 9], 60);
  const avg = await ops.globalPool('average', x), mx = await ops.globalPool('max', x);
  t.deepEqual(avg.shape, [2, 5, 1, 1]);
  for (let p = 0; p < 10; p++) {
    const plane = [...x.data.subarray(p * 63, p * 63 + 63)];
    t.true(Math.abs(avg.data[p] - plane.reduce((a, b) => a + b) / 63) < 1e-6);
    t.is(mx.data[p], Math.max(...plane));
  }
});
