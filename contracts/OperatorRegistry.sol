// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title OperatorRegistry
/// @notice Operator stake: bonding, unbonding with a delay, withdrawal, and seizure by slashing.
abstract contract OperatorRegistry is ReentrancyGuardTransient {
    /// @dev Two slots. The first holds everything commitBatch reads and writes, so a commit
    /// touches one operator slot. `lastSequence` belongs to BatchSettlement; it lives here to share it.
    struct Operator {
        uint128 bonded;
        uint64 lastSequence;
        bool registered;
        bool slashed;
        uint128 unbonding;
        uint64 releaseAt;
    }

    /// @notice Smallest bonded stake with which an operator may commit.
    uint256 public immutable minStake;
    /// @notice Seconds unbonding stake stays slashable before it can be withdrawn.
    uint64 public immutable unbondingPeriod;

    mapping(address => Operator) internal _operators;

    event Registered(address indexed operator, uint256 amount);
    event StakeAdded(address indexed operator, uint256 amount, uint256 bonded);
    event Unbonding(address indexed operator, uint256 amount, uint256 unbonding, uint64 releaseAt);
    event Withdrawn(address indexed operator, uint256 amount);

    error ZeroMinStake();
    error ZeroUnbondingPeriod();
    error StakeBelowMinimum(uint256 given, uint256 minimum);
    error AlreadyRegistered(address operator);
    error NotRegistered(address operator);
    error OperatorSlashed(address operator);
    error ZeroAmount();
    error InsufficientBonded(uint256 bonded, uint256 requested);
    error NothingToWithdraw();
    error StillUnbonding(uint64 releaseAt);
    error NothingToSlash(address operator);

    constructor(uint256 minStake_, uint64 unbondingPeriod_) {
        if (minStake_ == 0) revert ZeroMinStake();
        if (unbondingPeriod_ == 0) revert ZeroUnbondingPeriod();
        minStake = minStake_;
        unbondingPeriod = unbondingPeriod_;
    }

    /// @notice Registers the sender as an operator, bonding `msg.value` (at least `minStake`).
    /// A slashed address can never register again.
    function register() external payable {
        Operator storage op = _operators[msg.sender];
        if (op.slashed) revert OperatorSlashed(msg.sender);
        if (op.registered) revert AlreadyRegistered(msg.sender);
        if (msg.value < minStake) revert StakeBelowMinimum(msg.value, minStake);
        op.registered = true;
        op.bonded = SafeCast.toUint128(msg.value);
        emit Registered(msg.sender, msg.value);
    }

    /// @notice Adds `msg.value` to the sender's bonded stake.
    function addStake() external payable {
        Operator storage op = _requireLive(msg.sender);
        if (msg.value == 0) revert ZeroAmount();
        uint128 bonded = op.bonded + SafeCast.toUint128(msg.value);
        op.bonded = bonded;
        emit StakeAdded(msg.sender, msg.value, bonded);
    }

    /// @notice Moves `amount` of bonded stake to unbonding. The release time restarts at
    /// now + `unbondingPeriod` for the whole unbonding balance, which stays slashable until withdrawn.
    function unbond(uint256 amount) external {
        Operator storage op = _requireLive(msg.sender);
        if (amount == 0) revert ZeroAmount();
        if (amount > op.bonded) revert InsufficientBonded(op.bonded, amount);
        uint128 amount128 = uint128(amount); // fits: amount <= bonded
        op.bonded -= amount128;
        uint128 unbonding = op.unbonding + amount128;
        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        op.unbonding = unbonding;
        op.releaseAt = releaseAt;
        emit Unbonding(msg.sender, amount, unbonding, releaseAt);
    }

    /// @notice Pays the sender's whole unbonding balance once its release time has passed.
    function withdraw() external nonReentrant {
        Operator storage op = _operators[msg.sender];
        uint256 amount = op.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.timestamp < op.releaseAt) revert StillUnbonding(op.releaseAt);
        op.unbonding = 0;
        op.releaseAt = 0;
        emit Withdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    /// @notice Stake and status of `operator`.
    /// @return bonded stake backing commits
    /// @return unbonding stake waiting for `releaseAt`, still slashable
    /// @return releaseAt unix seconds from which `unbonding` can be withdrawn
    /// @return registered whether the address ever registered
    /// @return slashed whether the address was slashed (barred for good)
    function stakeOf(
        address operator
    ) external view returns (uint256 bonded, uint256 unbonding, uint64 releaseAt, bool registered, bool slashed) {
        Operator storage op = _operators[operator];
        return (op.bonded, op.unbonding, op.releaseAt, op.registered, op.slashed);
    }

    /// @notice Whether `operator` may commit batches: registered, not slashed, bonded >= `minStake`.
    function isActive(address operator) public view returns (bool) {
        return _isActive(_operators[operator]);
    }

    function _isActive(Operator storage op) internal view returns (bool) {
        return op.registered && !op.slashed && op.bonded >= minStake;
    }

    function _requireLive(address operator) private view returns (Operator storage op) {
        op = _operators[operator];
        if (op.slashed) revert OperatorSlashed(operator);
        if (!op.registered) revert NotRegistered(operator);
    }

    /// @dev Takes all bonded and unbonding stake of `operator` and bars it for good.
    /// Returns the amount taken; the caller decides where it goes.
    function _seize(address operator) internal returns (uint256 amount) {
        Operator storage op = _operators[operator];
        if (op.slashed) revert OperatorSlashed(operator);
        amount = uint256(op.bonded) + op.unbonding;
        if (amount == 0) revert NothingToSlash(operator);
        op.slashed = true;
        op.bonded = 0;
        op.unbonding = 0;
        op.releaseAt = 0;
    }
}
