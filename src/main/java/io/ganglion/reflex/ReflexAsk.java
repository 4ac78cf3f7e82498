package io.ganglion.reflex;

import io.vertx.core.json.JsonObject;

/**
 * A question for {@code ganglion.reflex.ask.local}: the {@code ganglion.orchestrator.ask} request, where the stream
 * events should go, and the deadline of the orchestration behind a miss. Passed by reference on the local bus (see
 * {@link io.ganglion.bus.LocalCodec}); the request is never modified by the receiver.
 *
 * @param request   {@code {"tenant","kb","question","conversationId"?,"history"?,"k"?,"generator"?,"filter"?}}
 * @param stream    the address stream events go to ({@link io.ganglion.bus.AskStreams}), or {@code null}
 * @param timeoutMs the deadline of the orchestrator hop
 * @param refresh   skip the cache look-up and answer afresh (the fresh answer is still stored), as HTTP's
 *                  {@code Cache-Control: no-cache} asks
 */
public record ReflexAsk(JsonObject request, String stream, long timeoutMs, boolean refresh) {
}
