package io.ganglion.reflex;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.bus.Status;
import io.ganglion.config.ReflexConfig;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.pii.Finding;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Reflex: inspects text on the way in and out — PII detection and redaction, prompt-injection detection — on the
 * event loop, in well under a millisecond for a typical prompt. The injection model is trained once at start on a
 * worker thread (a fraction of a second); after that nothing here blocks.
 */
public final class ReflexVerticle extends VerticleBase {

  /** Largest text inspected in one call (characters); longer texts fail with 413. */
  public static final int MAX_TEXT_CHARS = 1_000_000;

  private Inspector inspector;
  private MeterRegistry meters;
  private Timer latency;

  @Override
  public Future<?> start() {
    ReflexConfig config = ReflexConfig.from(config().getJsonObject("reflex"));
    meters = MeterRegistries.of(vertx);
    latency = Timer.builder("ganglion.reflex.inspect").description("time to inspect one text").register(meters);
    return vertx.executeBlocking(InjectionDetector::bundled)
      .compose(detector -> {
        inspector = new Inspector(config, detector);
        return Future.all(
          vertx.eventBus().<JsonObject>consumer(Addresses.REFLEX_INSPECT, this::inspect).completion(),
          Status.register(vertx, Addresses.REFLEX_STATUS, "reflex", JsonObject::new));
      });
  }

  private void inspect(Message<JsonObject> msg) {
    Object text = msg.body().getValue("text");
    if (!(text instanceof String s)) {
      ErrorCode.INVALID_REQUEST.fail(msg, "'text' is required and must be a string");
      return;
    }
    if (s.length() > MAX_TEXT_CHARS) {
      ErrorCode.PAYLOAD_TOO_LARGE.fail(msg, "'text' is longer than " + MAX_TEXT_CHARS + " characters");
      return;
    }
    Direction direction;
    try {
      direction = Direction.parse(msg.body().getString("direction", "input"));
    } catch (IllegalArgumentException | ClassCastException e) {
      ErrorCode.INVALID_REQUEST.fail(msg, "'direction' must be input, output or stored");
      return;
    }
    long started = System.nanoTime();
    Inspection inspection = inspector.inspect(s, direction);
    latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    count(inspection);
    msg.reply(inspection.toJson());
  }

  private void count(Inspection inspection) {
    meters.counter("ganglion.reflex.actions", "action", inspection.action().wireName(),
      "direction", inspection.direction().wireName()).increment();
    for (Finding finding : inspection.findings()) {
      meters.counter("ganglion.reflex.findings", "type", finding.type()).increment();
    }
    if (inspection.injectionChecked() && inspection.reasons().contains("injection")) {
      meters.counter("ganglion.reflex.injections").increment();
    }
  }
}
