// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {AttestationLeaf} from "./AttestationLeaf.sol";
import {BatchSettlement} from "./BatchSettlement.sol";

/// @title Slashing
/// @notice Anyone may prove an operator's fault; the operator loses all its stake, the reporter gets
/// `reporterShareBps` of it and the rest is burned (locked here for good, see docs/protocol.md §7).
abstract contract Slashing is BatchSettlement {
    uint8 public constant REASON_EQUIVOCATION = 1;
    uint8 public constant REASON_INCONSISTENCY = 2;

    /// @notice Reporter's share of a slash, in basis points.
    uint16 public immutable reporterShareBps;
    /// @notice Slashed stake that nobody can ever move.
    uint256 public totalBurned;

    event Slashed(address indexed operator, address indexed reporter, uint8 reason, uint256 amount, uint256 reward);

    error ShareTooHigh(uint16 bps);
    error NotEquivocation();
    error DifferentOperators(address a, address b);
    error LeafNotCommitted(uint64 sequence);
    error NotComparable();
    error OutputsAgree();

    constructor(uint16 reporterShareBps_) {
        if (reporterShareBps_ > 10_000) revert ShareTooHigh(reporterShareBps_);
        reporterShareBps = reporterShareBps_;
    }

    /// @notice Slashes `operator` for signing two different roots for one `sequence`
    /// (whether or not either was committed).
    function reportEquivocation(
        address operator,
        uint64 sequence,
        bytes32 rootA,
        uint32 countA,
        bytes calldata sigA,
        bytes32 rootB,
        uint32 countB,
        bytes calldata sigB
    ) external nonReentrant {
        if (rootA == rootB) revert NotEquivocation();
        _checkSigner(operator, batchDigest(operator, sequence, rootA, countA), sigA);
        _checkSigner(operator, batchDigest(operator, sequence, rootB, countB), sigB);
        _slash(operator, REASON_EQUIVOCATION);
    }

    /// @notice Slashes the operator of two committed leaves that agree on model, input and runtime
    /// version but differ in output: bit-identical kernels make that a proven fault.
    function reportInconsistency(
        uint64 seqA,
        AttestationLeaf.Attestation calldata a,
        bytes32[] calldata proofA,
        uint64 seqB,
        AttestationLeaf.Attestation calldata b,
        bytes32[] calldata proofB
    ) external nonReentrant {
        if (a.operator != b.operator) revert DifferentOperators(a.operator, b.operator);
        if (a.modelHash != b.modelHash || a.inputHash != b.inputHash || a.runtimeVersion != b.runtimeVersion) {
            revert NotComparable();
        }
        if (a.outputHash == b.outputHash) revert OutputsAgree();
        if (!verifyLeaf(seqA, a, proofA)) revert LeafNotCommitted(seqA);
        if (!verifyLeaf(seqB, b, proofB)) revert LeafNotCommitted(seqB);
        _slash(a.operator, REASON_INCONSISTENCY);
    }

    /// @dev Effects before the one external call (the reward), under nonReentrant.
    function _slash(address operator, uint8 reason) private {
        uint256 amount = _seize(operator);
        uint256 reward = (amount * reporterShareBps) / 10_000;
        totalBurned += amount - reward;
        emit Slashed(operator, msg.sender, reason, amount, reward);
        if (reward != 0) Address.sendValue(payable(msg.sender), reward);
    }
}
