// ConvTranspose against a float64 reference written as the textbook scatter: every input pixel adds
// its kernel-weighted copy into the output; swept over groups, strides, dilations, pads and padding.
import test from 'ava';
import type { Tensor } from '../lib';
import { randomTensor } from './helpers';
import { intAttr, intsAttr, runNode } from './one-node';

interface Case { c: number; m: number; group: number; h: number; w: number; k: [number, number]; stride: [number, number]; dilation: [number, number]; pads: [number, number, number, number]; extra: [number, number] }

function reference(x: Tensor<'float32'>, w: Tensor<'float32'>, bias: Tensor<'float32'>, p: Case): { shape: number[]; data: Float64Array } {
  const [n, c, h, wd] = x.shape;
  const mg = p.m / p.group, cg = c / p.group;
  const oh = p.stride[0] * (h - 1) + p.extra[0] + (p.k[0] - 1) * p.dilation[0] + 1 - p.pads[0] - p.pads[2];
  const ow = p.stride[1] * (wd - 1) + p.extra[1] + (p.k[1] - 1) * p.dilation[1] + 1 - p.pads[1] - p.pads[3];
  const y = new Float64Array(n * p.m * oh * ow);
  for (let b = 0; b < n; b++) for (let co = 0; co < p.m; co++) for (let i = 0; i < oh * ow; i++) y[(b * p.m + co) * oh * ow + i] = bias.data[co];
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) {
    const g = Math.floor(ci / cg);
    for (let iy = 0; iy < h; iy++) for (let ix = 0; ix < wd; ix++) {
      const v = x.data[((b * c + ci) * h + iy) * wd + ix];
      for (let cw = 0; cw < mg; cw++) for (let ky = 0; ky < p.k[0]; ky++) for (let kx = 0; kx < p.k[1]; kx++) {
        const oy = iy * p.stride[0] + ky * p.dilation[0] - p.pads[0], ox = ix * p.stride[1] + kx * p.dilation[1] - p.pads[1];
        if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
        const co = g * mg + cw;
        y[((b * p.m + co) * oh + oy) * ow + ox] += v * w.data[((ci * mg + cw) * p.k[0] + ky) * p.k[1] + kx];
      }
    }
  }
  return { shape: [n, p.m, oh, ow], data: y };
}

const CASES: Case[] = [
  { c: 3, m: 2, group: 1, h: 5, w: 4, k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [0, 0, 0, 0], extra: [0, 0] },
  { c: 4, m: 6, group: 2, h: 3, w: 5, k: [2, 3], stride: [2, 3], dilation: [1, 1], pads: [1, 0, 0, 2], extra: [1, 2] },
  { c: 2, m: 2, group: 2, h: 4, w: 4, k: [3, 2], stride: [2, 1], dilation: [2, 3], pads: [2, 1, 1, 0], extra: [0, 0] },
  { c: 1, m: 5, group: 1, h: 1, w: 7, k: [1, 4], stride: [1, 2], dilation: [1, 1], pads: [0, 1, 0, 1], extra: [0, 1] },
];

for (const [i, p] of CASES.entries()) {
  test(`ConvTranspose matches the float64 scatter reference: case ${i} (group ${p.group}, stride ${p.stride}, dilation ${p.dilation})`, async (t) => {
    const x = randomTensor([2, p.c, p.h, p.w], 10 + i);
    const w = randomTensor([p.c, p.m / p.group, ...p.k], 20 + i);
    const bias = randomTensor([p.m], 30 + i);
    const y = await runNode('ConvTranspose', [x, w, bias], 'float32', [
      intsAttr('strides', p.stride), intsAttr('dilations', p.dilation), intsAttr('pads', p.pads), intsAttr('output_padding', p.extra), intAttr('group', p.group),
    ]);
    const want = reference(x, w, bias, p);
    t.deepEqual(y.shape, want.shape);
    const terms = (p.c / p.group) * p.k[0] * p.k[1];
    for (let j = 0; j < want.data.length; j++) {
      // float32 accumulation of at most `terms` products of values in [-1, 1]
      if (Math.abs(y.data[j] as number - want.data[j]) > terms * 2 ** -22 + 1e-6) return t.fail(`element ${j}: ${y.data[j]} vs ${want.data[j]}`);
    }
    t.pass();
  });
}
