// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title AttestationLeaf
/// @notice The attestation record of docs/protocol.md §4 and its Merkle leaf hash.
library AttestationLeaf {
    /// @notice One attested inference; field order is part of the protocol.
    struct Attestation {
        bytes32 requestId;
        bytes32 modelHash;
        bytes32 inputHash;
        bytes32 outputHash;
        address operator;
        uint64 timestamp;
        uint32 runtimeVersion;
    }

    /// @notice Leaf hash as built by OpenZeppelin `StandardMerkleTree`; hashed twice so a leaf can
    /// never be passed off as an inner node (64-byte preimage).
    function leafHash(Attestation memory a) internal pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    keccak256(
                        abi.encode(
                            a.requestId,
                            a.modelHash,
                            a.inputHash,
                            a.outputHash,
                            a.operator,
                            a.timestamp,
                            a.runtimeVersion
                        )
                    )
                )
            );
    }
}
