// Prometheus metrics of one node, on its own registry (two nodes in one process never mix counts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class NodeMetrics {
  readonly registry = new Registry();
  readonly queueDepth = new Gauge({ name: 'verinfer_queue_depth', help: 'Requests waiting to run, per model', labelNames: ['model'], registers: [this.registry] });
  readonly batchRows = new Histogram({
    name: 'verinfer_batch_rows', help: 'Rows per model run (requests stacked by the dynamic batcher)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'verinfer_request_seconds', help: 'Inference request time, decode to attested response, per model',
    labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly runSeconds = new Histogram({
    name: 'verinfer_run_seconds', help: 'Time of one model run (a whole batch), per model',
    labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly attestSeconds = new Histogram({
    name: 'verinfer_attest_seconds', help: 'Hashing inputs and outputs plus storing the attestation durably',
    buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly requests = new Counter({ name: 'verinfer_requests_total', help: 'Inference requests by outcome', labelNames: ['model', 'outcome'], registers: [this.registry] });
  readonly attestationsCommitted = new Counter({ name: 'verinfer_attestations_committed_total', help: 'Attestations in batches committed on-chain', registers: [this.registry] });
  readonly gasSpent = new Counter({ name: 'verinfer_gas_spent_total', help: 'Gas used by batch commits', registers: [this.registry] });
  readonly hubFulfilments = new Counter({ name: 'verinfer_hub_fulfilments_total', help: 'On-chain requests and workflow runs fulfilled', registers: [this.registry] });
  readonly hubFeesWei = new Counter({ name: 'verinfer_hub_fees_wei_total', help: 'Fees claimed from the InferenceHub, in wei', registers: [this.registry] });
  readonly attestationsPending: Gauge;

  constructor(uncommitted: () => number) {
    this.attestationsPending = new Gauge({
      name: 'verinfer_attestations_pending', help: 'Attestations stored but not yet committed on-chain', registers: [this.registry],
      collect() {
        this.set(uncommitted());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'verinfer_process_' });
  }
}
