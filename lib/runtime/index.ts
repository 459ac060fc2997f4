// Running ONNX models: plan per input-shape signature, one native call per run.
export { Session, type FeedProblem, type SessionOptions } from './session';
