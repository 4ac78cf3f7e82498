package io.ganglion.inference.batch;

import io.ganglion.inference.Lane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One model's batching meters, all named {@code ganglion.inference.*} and tagged {@code model}; those of a lane are
 * tagged {@code lane} ({@code interactive} or {@code bulk}) too.
 */
final class BatchMetrics {

  final DistributionSummary batchSize;
  final DistributionSummary batchTokens;
  final Timer runTime;
  /** Batches a worker kept for interactive work ran while every shared worker ran bulk items. */
  final Counter beside;
  private final Timer[] queueWait = new Timer[2];
  private final Timer[] itemTime = new Timer[2];
  private final Counter[] items = new Counter[2];
  private final Counter[] rejected = new Counter[2];
  private final Counter[] expired = new Counter[2];
  private final List<Meter> meters = new ArrayList<>();
  private final MeterRegistry registry;

  BatchMetrics(MeterRegistry registry, String model, BatchPolicy policy, ToIntFunction<Lane> depth) {
    this.registry = registry;
    batchSize = keep(DistributionSummary.builder("ganglion.inference.batch.size")
      .description("Inputs per batch run").baseUnit("inputs").tag("model", model)
      .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue((double) policy.maxBatch())
      .register(registry));
    batchTokens = keep(DistributionSummary.builder("ganglion.inference.batch.tokens")
      .description("Padded tokens per batch run (inputs x longest)").baseUnit("tokens").tag("model", model)
      .publishPercentileHistogram().minimumExpectedValue(1.0)
      .maximumExpectedValue((double) Math.max(policy.maxBatchTokens(), 512)).register(registry));
    runTime = keep(Timer.builder("ganglion.inference.batch.run")
      .description("Time to run one batch through the model, on a worker").tag("model", model)
      .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
    beside = keep(Counter.builder("ganglion.inference.batches.beside.bulk")
      .description("Batches of interactive inputs run on a worker kept for them while every shared worker ran bulk "
        + "inputs").tag("model", model).register(registry));
    for (Lane lane : Lane.values()) {
      int i = lane.ordinal();
      String tag = lane.wire();
      itemTime[i] = keep(Timer.builder("ganglion.inference.item.time")
        .description("Time from submission (before tokenizing) until the input's batch returned: tokenizing, queue wait and the batch's run")
        .tags("model", model, "lane", tag).publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry));
      queueWait[i] = keep(Timer.builder("ganglion.inference.queue.wait")
        .description("Time from submission to the cut of the input's batch").tags("model", model, "lane", tag)
        .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
      items[i] = keep(Counter.builder("ganglion.inference.items")
        .description("Inputs run through the model").tags("model", model, "lane", tag).register(registry));
      rejected[i] = keep(Counter.builder("ganglion.inference.rejected")
        .description("Requests refused because the model's lane was full").tags("model", model, "lane", tag)
        .register(registry));
      expired[i] = keep(Counter.builder("ganglion.inference.expired")
        .description("Inputs dropped before running because their caller's deadline passed or it gave up")
        .tags("model", model, "lane", tag).register(registry));
      keep(Gauge.builder("ganglion.inference.queue.depth", () -> depth.applyAsInt(lane))
        .description("Inputs waiting in the model's lane").tags("model", model, "lane", tag).strongReference(true)
        .register(registry));
    }
  }

  Timer queueWait(Lane lane) {
    return queueWait[lane.ordinal()];
  }

  Timer itemTime(Lane lane) {
    return itemTime[lane.ordinal()];
  }

  Counter items(Lane lane) {
    return items[lane.ordinal()];
  }

  Counter rejected(Lane lane) {
    return rejected[lane.ordinal()];
  }

  Counter expired(Lane lane) {
    return expired[lane.ordinal()];
  }

  /** Removes the meters, so a model loaded again under the same name starts from zero. */
  void remove() {
    meters.forEach(registry::remove);
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }
}
