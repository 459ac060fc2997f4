// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Slashing} from "./Slashing.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";

/// @title VerinferSettlement
/// @notice The verinfer settlement contract; its address is the EIP-712 `verifyingContract`.
contract VerinferSettlement is Slashing {
    /// @param minStake_ smallest bonded stake (wei) with which an operator may commit
    /// @param unbondingPeriod_ seconds unbonding stake stays slashable; must exceed the time
    /// integrators need to check receipts and report
    /// @param reporterShareBps_ reporter's share of a slash in basis points (at most 10000)
    constructor(
        uint256 minStake_,
        uint64 unbondingPeriod_,
        uint16 reporterShareBps_
    ) OperatorRegistry(minStake_, unbondingPeriod_) Slashing(reporterShareBps_) {}
}
