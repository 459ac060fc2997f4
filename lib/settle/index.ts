// Settlement: the operator's key, outbox and batch commits, the contracts, and receipt verification.
export { Settler, type SettlerOptions, type SettlementState, type SettlementStatus } from './settler';
export { SettlementConflict, type SubmitOptions } from './submitter';
export { verifyReceipt, type ReceiptVerdict, type VerifyOptions } from './verify-receipt';
export { createKeystore, keystoreAddress, loadKeystore, readPassword, PASSWORD_ENV, type PasswordSource } from './keystore';
export { deploySettlement, ensureRegistered, settlementArtifact, settlementAt, SlashReason, type SettlementArtifact, type SettlementParams } from './contracts';
