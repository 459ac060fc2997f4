// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {InferenceHub} from "../InferenceHub.sol";
import {IInferenceConsumer, IWorkflowSource, ModelTensors} from "../ModelTensors.sol";

/// @title ForecastConsumer
/// @notice Example consumer of the InferenceHub. The owner records a price series; the contract asks
/// for one-off forecasts (`requestForecast`) or serves as a workflow's input source, so an operator
/// updates `latest` every interval with the model run on the last `WINDOW` prices.
contract ForecastConsumer is IInferenceConsumer, IWorkflowSource, Ownable {
    uint256 public constant WINDOW = 64;

    InferenceHub public immutable hub;
    bytes32 public immutable modelHash;
    /// @notice Decimals of the recorded prices.
    int128 public immutable priceDecimals;

    int128[WINDOW] private _prices;
    uint256 public pricesRecorded;

    bytes32 public latestRequest;
    uint64 public latestAt;
    ModelTensors.Number[] private _latest;

    event PriceRecorded(uint256 index, int128 price);
    event ForecastUpdated(bytes32 indexed requestId, uint256 values);

    error OnlyHub(address caller);

    constructor(InferenceHub hub_, bytes32 modelHash_, int128 priceDecimals_) Ownable(msg.sender) {
        hub = hub_;
        modelHash = modelHash_;
        priceDecimals = priceDecimals_;
    }

    function recordPrice(int128 price) external onlyOwner {
        _prices[pricesRecorded % WINDOW] = price;
        emit PriceRecorded(pricesRecorded, price);
        pricesRecorded++;
    }

    /// @notice The model input: the last WINDOW prices, oldest first, as tensor `x` of shape [1, WINDOW].
    function workflowInput(bytes32) public view returns (ModelTensors.ModelInput memory input) {
        ModelTensors.Number[] memory values = new ModelTensors.Number[](WINDOW);
        for (uint256 i = 0; i < WINDOW; i++) {
            values[i] = ModelTensors.Number(_prices[(pricesRecorded + i) % WINDOW], priceDecimals);
        }
        uint32[] memory shape = new uint32[](2);
        shape[0] = 1;
        shape[1] = uint32(WINDOW);
        input.numbers = new ModelTensors.NumberTensor[](1);
        input.numbers[0] = ModelTensors.NumberTensor("x", values, shape);
    }

    /// @notice Asks for a forecast now; `msg.value` is the operator's fee.
    function requestForecast(uint32 callbackGasLimit) external payable returns (bytes32) {
        return hub.request{value: msg.value}(modelHash, workflowInput(bytes32(0)), address(this), callbackGasLimit);
    }

    function onInferenceResult(bytes32 requestId, ModelTensors.ModelOutput calldata output) external {
        if (msg.sender != address(hub)) revert OnlyHub(msg.sender);
        delete _latest;
        ModelTensors.Number[] calldata values = output.numbers[0].values;
        for (uint256 i = 0; i < values.length; i++) _latest.push(values[i]);
        latestRequest = requestId;
        latestAt = uint64(block.timestamp);
        emit ForecastUpdated(requestId, values.length);
    }

    /// @notice The first output tensor of the latest result.
    function latest() external view returns (ModelTensors.Number[] memory) {
        return _latest;
    }
}
