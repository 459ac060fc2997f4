// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AttestationLeaf} from "./AttestationLeaf.sol";
import {IInferenceConsumer, IWorkflowSource, ModelTensors} from "./ModelTensors.sol";

/// @notice The parts of VerinferSettlement the hub relies on.
interface ISettlementView {
    function isActive(address operator) external view returns (bool);

    function verifyLeaf(
        uint64 sequence,
        AttestationLeaf.Attestation calldata leaf,
        bytes32[] calldata proof
    ) external view returns (bool);

    function stakeOf(
        address operator
    ) external view returns (uint256 bonded, uint256 unbonding, uint64 releaseAt, bool registered, bool slashed);
}

/// @title InferenceHub
/// @notice On-chain inference requests (docs/protocol.md §10). A contract or account posts a request
/// with a fee; a registered operator fulfils it with the outputs and the hash of its attestation leaf;
/// the consumer's callback receives the result. The fee goes to the operator once the challenge window
/// has passed and the operator shows its attestation committed in a settled batch (so it is slashable
/// if the outputs were wrong). Workflows are recurring requests whose input a consumer contract provides.
contract InferenceHub is ReentrancyGuardTransient {
    enum Status {
        None,
        Open,
        Fulfilled,
        Paid,
        Refunded
    }

    struct Request {
        address requester;
        uint96 fee;
        address callback;
        uint32 callbackGasLimit;
        uint64 createdAt;
        bytes32 modelHash;
        /// keccak256(abi.encode(input)): binds the fixed-point input the event carried.
        bytes32 inputHash;
        address operator;
        uint64 fulfilledAt;
        Status status;
        /// keccak256(abi.encode(output)).
        bytes32 outputHash;
        /// The operator's attestation leaf (AttestationLeaf.leafHash) for this request.
        bytes32 leaf;
    }

    struct Workflow {
        address owner;
        uint96 feePerRun;
        address consumer;
        uint32 callbackGasLimit;
        bool inBlocks;
        bool cancelled;
        bytes32 modelHash;
        uint64 interval;
        uint64 lastRun;
        uint64 runs;
        uint128 balance;
    }

    ISettlementView public immutable settlement;
    /// @notice Seconds after fulfilment before the fee can be claimed.
    uint64 public immutable challengeWindow;
    /// @notice Seconds after which an unfulfilled request may be refunded.
    uint64 public immutable requestTimeout;
    /// @notice Gas kept back beyond a callback's limit, so a fulfilment cannot starve its callback.
    uint256 public constant CALLBACK_GAS_RESERVE = 10_000;

    mapping(bytes32 => Request) private _requests;
    mapping(bytes32 => Workflow) private _workflows;
    uint256 private _nonce;

    event InferenceRequested(
        bytes32 indexed id,
        address indexed requester,
        bytes32 indexed modelHash,
        uint256 fee,
        address callback,
        uint32 callbackGasLimit,
        ModelTensors.ModelInput input
    );
    event InferenceFulfilled(
        bytes32 indexed id,
        address indexed operator,
        bytes32 leaf,
        bool callbackOk,
        ModelTensors.ModelOutput output
    );
    event FeePaid(bytes32 indexed id, address indexed operator, uint256 fee);
    event Refunded(bytes32 indexed id, address indexed requester, uint256 fee);
    event WorkflowCreated(
        bytes32 indexed id,
        address indexed owner,
        bytes32 indexed modelHash,
        address consumer,
        uint64 interval,
        bool inBlocks,
        uint96 feePerRun
    );
    event WorkflowFunded(bytes32 indexed id, uint256 amount, uint256 balance);
    event WorkflowRun(bytes32 indexed workflowId, bytes32 indexed requestId, uint64 run);
    event WorkflowCancelled(bytes32 indexed id, uint256 refund);

    error NotActiveOperator(address operator);
    error NotOpen(bytes32 id);
    error NotFulfilled(bytes32 id);
    error ChallengeWindowOpen(uint64 claimableAt);
    error LeafMismatch();
    error LeafNotCommitted(uint64 sequence);
    error NotRefundable(bytes32 id);
    error FeeTooLarge(uint256 fee);
    error ZeroInterval();
    error UnknownWorkflow(bytes32 id);
    error NotWorkflowOwner(address caller);
    error WorkflowNotDue(uint64 dueAt);
    error WorkflowUnderfunded(uint256 balance, uint256 feePerRun);
    error InputChanged();
    error InsufficientGasForCallback();

    constructor(ISettlementView settlement_, uint64 challengeWindow_, uint64 requestTimeout_) {
        settlement = settlement_;
        challengeWindow = challengeWindow_;
        requestTimeout = requestTimeout_;
    }

    function requestOf(bytes32 id) external view returns (Request memory) {
        return _requests[id];
    }

    function workflowOf(bytes32 id) external view returns (Workflow memory) {
        return _workflows[id];
    }

    /// @notice Posts a request; `msg.value` is the fee. `callback` (0 for none) receives the result
    /// through IInferenceConsumer with at most `callbackGasLimit` gas.
    function request(
        bytes32 modelHash,
        ModelTensors.ModelInput calldata input,
        address callback,
        uint32 callbackGasLimit
    ) external payable returns (bytes32 id) {
        if (msg.value > type(uint96).max) revert FeeTooLarge(msg.value);
        id = keccak256(abi.encode(block.chainid, address(this), _nonce++));
        Request storage r = _requests[id];
        r.requester = msg.sender;
        r.fee = uint96(msg.value);
        r.callback = callback;
        r.callbackGasLimit = callbackGasLimit;
        r.createdAt = uint64(block.timestamp);
        r.modelHash = modelHash;
        r.inputHash = keccak256(abi.encode(input));
        r.status = Status.Open;
        emit InferenceRequested(id, msg.sender, modelHash, msg.value, callback, callbackGasLimit, input);
    }

    /// @notice Fulfils an open request with its outputs and the operator's attestation leaf hash.
    function fulfil(bytes32 id, ModelTensors.ModelOutput calldata output, bytes32 leaf) external nonReentrant {
        Request storage r = _requests[id];
        if (r.status != Status.Open) revert NotOpen(id);
        _fulfil(id, r, output, leaf);
    }

    /// @notice Pays the fee of a fulfilled request to its operator, given the operator's attestation
    /// and its proof in a committed batch. Anyone may call it once the challenge window has passed.
    function claimFee(
        bytes32 id,
        uint64 sequence,
        AttestationLeaf.Attestation calldata leaf,
        bytes32[] calldata proof
    ) external nonReentrant {
        Request storage r = _requests[id];
        if (r.status != Status.Fulfilled) revert NotFulfilled(id);
        uint64 claimableAt = r.fulfilledAt + challengeWindow;
        if (block.timestamp < claimableAt) revert ChallengeWindowOpen(claimableAt);
        if (
            AttestationLeaf.leafHash(leaf) != r.leaf ||
            leaf.requestId != id ||
            leaf.modelHash != r.modelHash ||
            leaf.operator != r.operator
        ) revert LeafMismatch();
        if (!settlement.verifyLeaf(sequence, leaf, proof)) revert LeafNotCommitted(sequence);
        if (!settlement.isActive(r.operator)) revert NotActiveOperator(r.operator);
        r.status = Status.Paid;
        emit FeePaid(id, r.operator, r.fee);
        Address.sendValue(payable(r.operator), r.fee);
    }

    /// @notice Returns the fee to the requester of a request nobody fulfilled within `requestTimeout`,
    /// or one whose operator has been slashed before it was paid.
    function refund(bytes32 id) external nonReentrant {
        Request storage r = _requests[id];
        bool expired = r.status == Status.Open && block.timestamp >= r.createdAt + requestTimeout;
        bool slashedOperator = false;
        if (r.status == Status.Fulfilled) (, , , , slashedOperator) = settlement.stakeOf(r.operator);
        if (!expired && !slashedOperator) revert NotRefundable(id);
        r.status = Status.Refunded;
        emit Refunded(id, r.requester, r.fee);
        Address.sendValue(payable(r.requester), r.fee);
    }

    /// @notice Creates a recurring inference: every `interval` seconds (or blocks, if `inBlocks`) an
    /// operator runs `modelHash` on `consumer.workflowInput(id)` and delivers the outputs to
    /// `consumer`, earning `feePerRun` from the balance `msg.value` starts.
    function createWorkflow(
        bytes32 modelHash,
        address consumer,
        uint64 interval,
        bool inBlocks,
        uint32 callbackGasLimit,
        uint96 feePerRun
    ) external payable returns (bytes32 id) {
        if (interval == 0) revert ZeroInterval();
        id = keccak256(abi.encode(block.chainid, address(this), _nonce++));
        Workflow storage w = _workflows[id];
        w.owner = msg.sender;
        w.feePerRun = feePerRun;
        w.consumer = consumer;
        w.callbackGasLimit = callbackGasLimit;
        w.inBlocks = inBlocks;
        w.modelHash = modelHash;
        w.interval = interval;
        w.balance = uint128(msg.value);
        emit WorkflowCreated(id, msg.sender, modelHash, consumer, interval, inBlocks, feePerRun);
        emit WorkflowFunded(id, msg.value, msg.value);
    }

    function fundWorkflow(bytes32 id) external payable {
        Workflow storage w = _workflow(id);
        w.balance += uint128(msg.value);
        emit WorkflowFunded(id, msg.value, w.balance);
    }

    /// @notice Stops a workflow and returns its balance to the owner.
    function cancelWorkflow(bytes32 id) external nonReentrant {
        Workflow storage w = _workflow(id);
        if (msg.sender != w.owner) revert NotWorkflowOwner(msg.sender);
        uint256 amount = w.balance;
        w.balance = 0;
        w.cancelled = true;
        emit WorkflowCancelled(id, amount);
        Address.sendValue(payable(w.owner), amount);
    }

    /// @notice The timestamp (or block) from which the next run may be delivered.
    function nextRunAt(bytes32 id) public view returns (uint64) {
        Workflow storage w = _workflow(id);
        return w.runs == 0 ? 0 : w.lastRun + w.interval;
    }

    /// @notice The request id of a workflow's run number `run` (1-based) on input `inputHash`
    /// (keccak256 of the ABI-encoded ModelInput): what the operator attests. It names the input, so a
    /// run computed on an input that changed before delivery never shares an id with the one delivered.
    function workflowRequestId(bytes32 id, uint64 run, bytes32 inputHash) public pure returns (bytes32) {
        return keccak256(abi.encode(id, run, inputHash));
    }

    /// @notice Delivers the next run of a workflow: `input` must be what the consumer provides now.
    function runWorkflow(
        bytes32 id,
        ModelTensors.ModelInput calldata input,
        ModelTensors.ModelOutput calldata output,
        bytes32 leaf
    ) external nonReentrant returns (bytes32 requestId) {
        requestId = _startRun(id, keccak256(abi.encode(input)));
        _fulfil(requestId, _requests[requestId], output, leaf);
    }

    /// @dev Checks the run is due, funded and on the consumer's current input; records its request.
    function _startRun(bytes32 id, bytes32 inputHash) private returns (bytes32 requestId) {
        Workflow storage w = _workflow(id);
        uint64 dueAt = nextRunAt(id);
        uint64 clock = w.inBlocks ? uint64(block.number) : uint64(block.timestamp);
        if (clock < dueAt) revert WorkflowNotDue(dueAt);
        if (w.balance < w.feePerRun) revert WorkflowUnderfunded(w.balance, w.feePerRun);
        // The return data of workflowInput is exactly abi.encode(input): hashed as is, never decoded.
        (bool ok, bytes memory current) = w.consumer.staticcall(abi.encodeCall(IWorkflowSource.workflowInput, (id)));
        if (!ok || inputHash != keccak256(current)) revert InputChanged();
        w.balance -= w.feePerRun;
        w.lastRun = clock;
        uint64 run = ++w.runs;
        requestId = workflowRequestId(id, run, inputHash);
        Request storage r = _requests[requestId];
        r.requester = w.owner;
        r.fee = w.feePerRun;
        r.callback = w.consumer;
        r.callbackGasLimit = w.callbackGasLimit;
        r.createdAt = uint64(block.timestamp);
        r.modelHash = w.modelHash;
        r.inputHash = inputHash;
        emit WorkflowRun(id, requestId, run);
    }

    function _workflow(bytes32 id) private view returns (Workflow storage w) {
        w = _workflows[id];
        if (w.owner == address(0) || w.cancelled) revert UnknownWorkflow(id);
    }

    /// @dev Records the fulfilment, then calls the consumer; a failing callback does not undo it.
    function _fulfil(bytes32 id, Request storage r, ModelTensors.ModelOutput calldata output, bytes32 leaf) private {
        if (!settlement.isActive(msg.sender)) revert NotActiveOperator(msg.sender);
        r.operator = msg.sender;
        r.fulfilledAt = uint64(block.timestamp);
        r.status = Status.Fulfilled;
        r.outputHash = keccak256(abi.encode(output));
        r.leaf = leaf;
        bool ok = true;
        if (r.callback != address(0)) {
            // EIP-150 passes on at most 63/64 of what is left: make sure the callback can get its limit.
            if (gasleft() < (uint256(r.callbackGasLimit) * 64) / 63 + CALLBACK_GAS_RESERVE) revert InsufficientGasForCallback();
            try IInferenceConsumer(r.callback).onInferenceResult{gas: r.callbackGasLimit}(id, output) {} catch {
                ok = false;
            }
        }
        emit InferenceFulfilled(id, msg.sender, leaf, ok, output);
    }
}
