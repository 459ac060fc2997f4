// The operator node: HTTP API, dynamic batching, model store, settlement of what it computed.
export { OperatorNode, type InferRequest, type InferResult } from './operator-node';
export { startNode, type RunningNode } from './running-node';
export { buildServer } from './server';
export { ModelStore, ModelNotFoundError, type StoredModel, type AddOptions, type LoadedModel } from './model-store';
export { Scheduler, isBatchable, QueueFullError, CancelledError, ShuttingDownError, type BatchingOptions, type RunResult, type Runnable } from './scheduler';
export { loadConfig, requireSettings, SETTINGS, envName, flagName, type NodeConfig, type SettingName } from './config';
export { decodeTensor, encodeTensor, decodeInputs, encodeOutputs, type WireTensor, type WireEncoding, type WireInputs } from './tensor-codec';
export { RequestError } from './request-error';
