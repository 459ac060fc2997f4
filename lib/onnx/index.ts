// ONNX models: decoding, checks and graph order (the runtime's planner builds on this).
export { loadModel, IR_VERSIONS, OPSET_VERSIONS, type OnnxModel, type Node, type ValueInfo } from './model';
export { tensorFromProto } from './tensor-proto';
export { decodeTensor } from './proto';
