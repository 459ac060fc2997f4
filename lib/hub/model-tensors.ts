// Between the hub's ABI form of OpenGradient tensors (ModelTensors.sol) and the runtime's tensors.
import { Interface, type Result } from 'ethers';
import { modelInputToTensors, type ModelInput } from '../attest';
import { encodeFixed } from '../node/tensor-codec';
import type { Tensor } from '../tensor';

const NUMBER_TENSOR = 'tuple(string name, tuple(int128 value, int128 decimals)[] values, uint32[] shape)[] numbers';
const STRING_TENSOR = 'tuple(string name, string[] values)[] strings';
/** A workflow consumer's input source (IWorkflowSource in ModelTensors.sol). */
export const WORKFLOW_SOURCE = new Interface([`function workflowInput(bytes32 workflowId) view returns (tuple(${NUMBER_TENSOR}, ${STRING_TENSOR}))`]);

/**
 * ABI value (an ethers Result of ModelInput) → the plain ModelInput the attest module converts. Read by
 * position: a field named `values` is hidden by Array.prototype.values on a Result.
 */
export function modelInputFromAbi(input: Result): ModelInput {
  const [numbers, strings] = [input[0] as Result, input[1] as Result];
  return {
    numbers: [...numbers].map((t: Result) => ({
      name: t[0] as string,
      values: [...(t[1] as Result)].map((v: Result) => ({ value: v[0] as bigint, decimals: v[1] as bigint })),
      shape: [...(t[2] as Result)].map(Number),
    })),
    strings: [...strings].map((t: Result) => ({ name: t[0] as string, values: [...(t[1] as Result)] as string[] })),
  };
}

/** The float tensors a model runs on; string tensors are refused (no model here takes them). */
export function feedsFromAbi(input: Result): Record<string, Tensor> {
  const tensors = modelInputToTensors(modelInputFromAbi(input));
  for (const [name, t] of Object.entries(tensors)) if (t.dtype === 'string') throw new TypeError(`input '${name}' is a string tensor; models take numbers only`);
  return tensors as Record<string, Tensor>;
}

/** Outputs → ModelOutput for `fulfil`: exact fixed-point numbers, per-element decimals. */
export function modelOutputToAbi(outputs: Record<string, Tensor>) {
  return {
    numbers: Object.entries(outputs).map(([name, t]) => {
      const fixed = encodeFixed(name, t);
      return { name, values: fixed.values.map((v) => ({ value: BigInt(v.value), decimals: BigInt(v.decimals) })), shape: fixed.shape };
    }),
    strings: [],
  };
}

/** ModelInput for `request` from float tensors (what a client or test posts). */
export function modelInputToAbi(feeds: Record<string, Tensor>) {
  return modelOutputToAbi(feeds);
}
