// Attestations: canonical hashes, leaves, batches, signatures and receipts (docs/protocol.md).
export { tensorHash, namedTensorsHash, modelHash, type HashableTensor, type StringTensor } from './tensor-hash';
export {
  fixedToFloat32, float32ToFixed, numberTensorToTensor, tensorToNumberTensor, modelInputToTensors, MAX_DECIMALS,
  type FixedNumber, type NumberTensor, type NamedStringTensor, type ModelInput,
} from './fixed-point';
export { LEAF_TYPES, attestationValues, checkAttestation, leafHash, type Attestation } from './attestation';
export { AttestationTree, verifyProof } from './merkle';
export {
  BATCH_TYPES, batchDigest, signBatch, recoverBatchSigner, typedDataDomain,
  type BatchHeader, type SettlementDomain, type TypedDataSigner,
} from './batch-signature';
export { RUNTIME_VERSION } from './runtime-version';
export {
  parseReceipt, receiptToJSON, verifyReceiptOffline,
  type Receipt, type BatchSeal, type CommitRecord, type Check,
} from './receipt';
