package io.ganglion.generation;

import io.ganglion.generation.impl.ChatCall;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Providers tried in order, ending in a final generator that answers offline (the built-in extractive generator),
 * so a question is answered even when every upstream is down.
 * <p>
 * The chain moves to the next provider on any failure (busy, breaker open, timeout, upstream error) except two:
 * the caller cancelled, or a provider had already streamed part of its answer to the caller, which cannot be
 * taken back; the call then fails with that provider's error. When the final generator fails too, the call fails
 * with its error, earlier failures attached as suppressed exceptions.
 * <p>
 * <b>NOTE</b>: thread-safe and stateless between calls; build one per configured chain and share it.
 */
public final class FallbackChain implements ChatProvider {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  private final String name;
  private final List<ChatProvider> links;

  /**
   * @param providers      upstream providers in order of preference (usually {@link ResilientProvider}s); may be empty
   * @param finalGenerator the last resort; an in-process generator may be a lambda
   */
  public FallbackChain(List<? extends ChatProvider> providers, ChatProvider finalGenerator) {
    List<ChatProvider> links = new ArrayList<>(providers);
    links.add(finalGenerator);
    this.links = List.copyOf(links);
    this.name = links.getFirst().name();
  }

  @Override
  public ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    return run(onDelta, (provider, deltas) -> provider.stream(request, deltas));
  }

  @Override
  public ChatStream completion(ChatRequest request) {
    return run(delta -> { }, (provider, deltas) -> provider.completion(request));
  }

  /** Whether the first provider tried takes a response format (callers keep only such links when one is asked for). */
  @Override
  public boolean supportsResponseFormat() {
    return links.getFirst().supportsResponseFormat();
  }

  /** The name of the first provider tried. */
  @Override
  public String name() {
    return name;
  }

  /** The providers in the order they are tried, the final generator last. */
  public List<ChatProvider> links() {
    return links;
  }

  private ChatStream run(Handler<String> onDelta, BiFunction<ChatProvider, Handler<String>, ChatStream> start) {
    ChatCall call = new ChatCall(name);
    Handler<String> deltas = call.gate(onDelta);
    tryFrom(0, call, deltas, start, new ArrayList<>()).onComplete(call::settle);
    return call;
  }

  private Future<ChatResult> tryFrom(int index, ChatCall call, Handler<String> deltas,
                                     BiFunction<ChatProvider, Handler<String>, ChatStream> start,
                                     List<Throwable> earlier) {
    ChatProvider provider = links.get(index);
    ChatStream attempt = start.apply(provider, deltas);
    call.onCancel(attempt::cancel);
    return attempt.result().recover(failure -> {
      boolean last = index == links.size() - 1;
      if (last || call.done() || call.delivered() || failure instanceof ChatCancelledException) {
        earlier.forEach(failure::addSuppressed);
        return Future.failedFuture(failure);
      }
      LOG.warn("llm provider {} failed, falling back to {}: {}",
        provider.name(), links.get(index + 1).name(), failure.getMessage());
      earlier.add(failure);
      return tryFrom(index + 1, call, deltas, start, earlier);
    });
  }
}
