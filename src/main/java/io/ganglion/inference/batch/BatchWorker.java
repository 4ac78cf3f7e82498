package io.ganglion.inference.batch;

import io.ganglion.bus.Handlers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.List;

/**
 * A worker verticle ({@code ThreadingModel.WORKER}, on the named pool {@code ganglion-inference}) that runs one batch
 * at a time: a {@link BatchJob} arrives on its own node-local address, it runs the model on its worker thread and
 * replies with the rows. Each message is one bounded task (one batch), never a loop, so a pool thread is only held for
 * as long as a batch takes, and Vert.x's blocked-thread checker ({@code maxWorkerExecuteTime}) watches each run.
 * <p>
 * The dispatcher ({@link BatchDispatcher}) sends a worker a batch only when it is idle, so no batch ever waits in a
 * busy worker's mailbox while another worker is free.
 */
public final class BatchWorker extends VerticleBase {

  private final String address;

  /** @param address the node-local address this instance takes batches on */
  BatchWorker(String address) {
    this.address = address;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<BatchJob>localConsumer(address, Handlers.replying(this::run)).completion();
  }

  private Future<BatchJob.Done> run(BatchJob job) {
    long start = System.nanoTime();
    List<?> rows;
    try {
      rows = job.model().run(job.encodings(), job.beside());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    if (rows.size() != job.encodings().size()) {
      throw new IllegalStateException(job.model().spec().name() + " returned " + rows.size() + " rows for "
        + job.encodings().size() + " inputs");
    }
    return Future.succeededFuture(new BatchJob.Done(rows, System.nanoTime() - start));
  }
}
