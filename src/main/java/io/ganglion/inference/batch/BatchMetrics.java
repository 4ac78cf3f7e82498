package io.ganglion.inference.batch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** One model's batching meters, all named {@code ganglion.inference.*} and tagged {@code model}. */
final class BatchMetrics {

  final DistributionSummary batchSize;
  final DistributionSummary batchTokens;
  final Timer queueWait;
  final Timer runTime;
  final Counter items;
  final Counter rejected;
  private final Gauge queueDepth;
  private final MeterRegistry registry;

  BatchMetrics(MeterRegistry registry, String model, BatchPolicy policy, Supplier<Number> depth) {
    this.registry = registry;
    batchSize = DistributionSummary.builder("ganglion.inference.batch.size")
      .description("Inputs per batch run").baseUnit("inputs").tag("model", model)
      .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue((double) policy.maxBatch())
      .register(registry);
    batchTokens = DistributionSummary.builder("ganglion.inference.batch.tokens")
      .description("Padded tokens per batch run (inputs x longest)").baseUnit("tokens").tag("model", model)
      .publishPercentileHistogram().minimumExpectedValue(1.0)
      .maximumExpectedValue((double) Math.max(policy.maxBatchTokens(), 512)).register(registry);
    queueWait = Timer.builder("ganglion.inference.queue.wait")
      .description("Time from submission to the start of the input's batch").tag("model", model)
      .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    runTime = Timer.builder("ganglion.inference.batch.run")
      .description("Time to run one batch through the model").tag("model", model)
      .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    items = Counter.builder("ganglion.inference.items")
      .description("Inputs run through the model").tag("model", model).register(registry);
    rejected = Counter.builder("ganglion.inference.rejected")
      .description("Requests refused because the model's queue was full").tag("model", model).register(registry);
    queueDepth = Gauge.builder("ganglion.inference.queue.depth", depth)
      .description("Inputs waiting in the model's queue").tag("model", model).strongReference(true).register(registry);
  }

  /** Removes the meters, so a batcher started again under the same name starts from zero. */
  void remove() {
    for (Meter meter : List.<Meter>of(batchSize, batchTokens, queueWait, runTime, items, rejected, queueDepth)) {
      registry.remove(meter);
    }
  }
}
