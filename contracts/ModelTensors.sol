// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ModelTensors
/// @notice OpenGradient's on-chain tensor form (docs/protocol.md §3): each number is value × 10^-decimals.
library ModelTensors {
    struct Number {
        int128 value;
        int128 decimals;
    }

    struct NumberTensor {
        string name;
        Number[] values;
        uint32[] shape;
    }

    struct StringTensor {
        string name;
        string[] values;
    }

    struct ModelInput {
        NumberTensor[] numbers;
        StringTensor[] strings;
    }

    struct ModelOutput {
        NumberTensor[] numbers;
        StringTensor[] strings;
    }
}

/// @notice What a contract implements to receive inference results from the InferenceHub.
interface IInferenceConsumer {
    function onInferenceResult(bytes32 requestId, ModelTensors.ModelOutput calldata output) external;
}

/// @notice What a workflow's consumer implements: the input of the next recurring run, read on-chain.
interface IWorkflowSource {
    function workflowInput(bytes32 workflowId) external view returns (ModelTensors.ModelInput memory);
}
