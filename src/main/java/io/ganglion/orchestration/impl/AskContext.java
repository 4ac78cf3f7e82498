package io.ganglion.orchestration.impl;

import io.ganglion.bus.Deadlines;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatStream;
import io.ganglion.orchestration.AskRequest;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * One ask in flight: the request, its deadline, its cancellation state, the stream it reports to, the steps recorded
 * so far and what each step produced for the next.
 * <p>
 * <b>NOTE</b>: confined to the orchestrator's event loop, except {@link #cancel()}, which may come from any thread.
 */
final class AskContext {

  final UUID traceId = UUID.randomUUID();
  final AskRequest request;
  final long startNanos = System.nanoTime();
  final Steps steps;
  private final long deadlineNanos;
  private final long hopTimeoutMs;
  private final BiConsumer<String, JsonObject> events;
  private volatile boolean cancelled;
  private volatile ChatStream generation;

  /** A warm-up ask ({@link AskWarmup}): nothing is stored. */
  boolean warmup;

  // produced by the steps, in order
  String question;
  boolean reflexAvailable;
  UUID conversationId;
  boolean newConversation;
  List<ChatMessage> history = new ArrayList<>();
  String query;
  List<Passage> retrieved = List.of();
  /** Retrieval answered without some shard. */
  boolean partial;
  boolean retrievalDown;
  List<Passage> context = List.of();
  /** Where the extractive generator's vectors come from, started as soon as the passages were retrieved. */
  SentenceVectors vectors;
  Generation.Generated generated;
  Groundedness.Verdict verdict;

  AskContext(AskRequest request, long budgetMs, long hopTimeoutMs, BiConsumer<String, JsonObject> events) {
    this.request = request;
    this.deadlineNanos = startNanos + budgetMs * 1_000_000;
    this.hopTimeoutMs = hopTimeoutMs;
    this.events = events;
    this.steps = new Steps(this);
    this.question = request.question();
  }

  /**
   * Delivery options of one hop: the configured hop deadline, shortened to what is left of the budget, also carried in
   * the {@link Deadlines#DEADLINE_HEADER} (retrieval and inference refuse at once work they could not start in time).
   */
  DeliveryOptions hop() {
    long left = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    long timeoutMs = Math.min(hopTimeoutMs, left);
    return Deadlines.withDeadline(Deadlines.within(timeoutMs), timeoutMs);
  }

  long elapsedMs() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Reports a stream event ({@code step}, {@code token}, {@code citation}) to the asker, if it streams. */
  void emit(String event, JsonObject data) {
    if (!cancelled) {
      events.accept(event, data);
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  /** Stops the ask: the generation in flight is abandoned and the next step does not start. */
  void cancel() {
    cancelled = true;
    ChatStream current = generation;
    if (current != null) {
      current.cancel();
    }
  }

  void generating(ChatStream stream) {
    generation = stream;
    if (cancelled) {
      stream.cancel();
    }
  }
}
