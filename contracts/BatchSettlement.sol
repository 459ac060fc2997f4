// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AttestationLeaf} from "./AttestationLeaf.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";

/// @title BatchSettlement
/// @notice Commits one EIP-712 signed Merkle root per batch of attestations (docs/protocol.md §5).
abstract contract BatchSettlement is OperatorRegistry, EIP712 {
    bytes32 public constant BATCH_TYPEHASH =
        keccak256("Batch(address operator,uint64 sequence,bytes32 root,uint32 count)");

    mapping(address => mapping(uint64 => bytes32)) private _roots;

    event BatchCommitted(address indexed operator, uint64 indexed sequence, bytes32 root, uint32 count);

    error NotActive(address operator);
    error SequenceNotIncreasing(uint64 last, uint64 given);
    error EmptyBatch();
    error ZeroRoot();
    error BadSignature();

    constructor() EIP712("verinfer", "1") {}

    /// @notice Commits the sender's batch `sequence` with Merkle `root` over `count` attestations.
    /// @param signature the sender's 65-byte low-s EIP-712 signature of
    /// Batch(operator = msg.sender, sequence, root, count)
    function commitBatch(uint64 sequence, bytes32 root, uint32 count, bytes calldata signature) external {
        Operator storage op = _operators[msg.sender];
        if (!_isActive(op)) revert NotActive(msg.sender);
        uint64 last = op.lastSequence;
        if (sequence <= last) revert SequenceNotIncreasing(last, sequence);
        if (count == 0) revert EmptyBatch();
        if (root == bytes32(0)) revert ZeroRoot();
        _checkSigner(msg.sender, batchDigest(msg.sender, sequence, root, count), signature);
        op.lastSequence = sequence;
        _roots[msg.sender][sequence] = root;
        emit BatchCommitted(msg.sender, sequence, root, count);
    }

    /// @notice The root `operator` committed for `sequence`, or zero.
    function rootOf(address operator, uint64 sequence) public view returns (bytes32) {
        return _roots[operator][sequence];
    }

    /// @notice Whether `operator` committed exactly `root` for `sequence`.
    function isCommitted(address operator, uint64 sequence, bytes32 root) external view returns (bool) {
        return root != bytes32(0) && _roots[operator][sequence] == root;
    }

    /// @notice Highest sequence `operator` has committed (0 before the first).
    function lastSequence(address operator) external view returns (uint64) {
        return _operators[operator].lastSequence;
    }

    /// @notice Whether `leaf` is in the root its operator (`leaf.operator`) committed for `sequence`.
    function verifyLeaf(
        uint64 sequence,
        AttestationLeaf.Attestation calldata leaf,
        bytes32[] calldata proof
    ) public view returns (bool) {
        bytes32 root = _roots[leaf.operator][sequence];
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, AttestationLeaf.leafHash(leaf));
    }

    /// @notice The EIP-712 digest an operator signs for a batch on this chain and contract.
    function batchDigest(address operator, uint64 sequence, bytes32 root, uint32 count) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, operator, sequence, root, count)));
    }

    /// @dev Reverts unless `signature` is `signer`'s 65-byte, low-s signature of `digest`.
    function _checkSigner(address signer, bytes32 digest, bytes calldata signature) internal pure {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) revert BadSignature();
    }
}
