package io.ganglion.generation.impl;

import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ChatCancelledException;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.ProviderException;
import io.ganglion.generation.ProviderTimeoutException;
import io.ganglion.generation.TruncatedStreamException;
import io.ganglion.generation.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.TimeoutException;

/**
 * One HTTP attempt at an upstream chat endpoint: JSON or SSE, with the connect and first-byte (idle) deadlines,
 * error bodies turned into {@link UpstreamException}s, truncation detection, and a cancel that resets the request.
 * No retries, breaker or concurrency limit: {@code ResilientProvider} adds those around it.
 * <p>
 * <b>NOTE</b>: thread-safe and shared by all callers; every call's state lives in its own {@link ChatCall}. Call
 * from a Vert.x context: the HTTP client then delivers responses, deltas and results on that context.
 */
public final class UpstreamExchange {

  private final HttpClient client;
  private final LlmProviderConfig config;
  private final String apiKey;
  private final ChatWire wire;

  public UpstreamExchange(HttpClient client, LlmProviderConfig config, String apiKey, ChatWire wire) {
    this.client = client;
    this.config = config;
    this.apiKey = apiKey;
    this.wire = wire;
  }

  /** Starts a streamed ({@code stream: true}) request. */
  public ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    return exchange(request, onDelta, true);
  }

  /** Starts a request answered with one JSON body. */
  public ChatStream completion(ChatRequest request) {
    return exchange(request, delta -> { }, false);
  }

  private ChatStream exchange(ChatRequest request, Handler<String> onDelta, boolean streaming) {
    String name = config.name();
    ChatCall call = new ChatCall(name);
    Handler<String> deltas = call.gate(onDelta);
    RequestOptions options = new RequestOptions()
      .setMethod(HttpMethod.POST)
      .setAbsoluteURI(config.baseUrl() + wire.path())
      .setConnectTimeout(config.connectTimeoutMs())
      // the idle timeout restarts on every chunk, so it bounds both time-to-headers and silence mid-stream
      .setIdleTimeout(config.firstByteTimeoutMs())
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader(HttpHeaders.ACCEPT, streaming ? "text/event-stream" : "application/json");
    wire.putHeaders(options, apiKey);
    Buffer body = wire.requestBody(request, config, streaming).toBuffer();
    // read() must be composed onto send()'s own future, not onto the outer chain: the response is delivered on the
    // request's context and its body handlers must be set in that same turn. Chained one level out, the
    // continuation can be scheduled as a separate task when the caller is not on that context (a test thread, a
    // worker, another event loop), and a small body then arrives and ends before anyone reads it: the call hangs
    // with no idle timeout left to fire.
    client.request(options)
      .recover(failure -> Future.failedFuture(connectFailure(failure)))
      .compose(httpRequest -> send(httpRequest, body, call).compose(response -> read(response, streaming, deltas)))
      .onComplete(call::settle);
    return call;
  }

  private Future<HttpClientResponse> send(HttpClientRequest httpRequest, Buffer body, ChatCall call) {
    call.onCancel(() -> httpRequest.reset(0, new ChatCancelledException(config.name())));
    return httpRequest.send(body).recover(failure -> Future.failedFuture(responseFailure(failure, false)));
  }

  private Future<ChatResult> read(HttpClientResponse response, boolean streaming, Handler<String> deltas) {
    if (response.statusCode() / 100 != 2) {
      return errorOf(response);
    }
    return streaming ? readStream(response, deltas) : readJson(response);
  }

  private Future<ChatResult> readJson(HttpClientResponse response) {
    return response.body()
      .recover(failure -> Future.failedFuture(responseFailure(failure, false)))
      .map(body -> {
        try {
          return wire.decodeResponse(config.name(), body.toJsonObject());
        } catch (RuntimeException malformed) {
          throw new UpstreamException(config.name(), 502, null, null,
            "malformed response: " + OpenAiWire.abbreviate(body.toString()), null, malformed);
        }
      });
  }

  private Future<ChatResult> readStream(HttpClientResponse response, Handler<String> deltas) {
    Promise<ChatResult> done = Promise.promise();
    StreamDecoder decoder = wire.streamDecoder(config.name());
    SseParser parser = new SseParser(event -> {
      if (done.future().isComplete()) {
        return;
      }
      try {
        decoder.accept(event, deltas);
      } catch (RuntimeException failure) {
        // an error event, a malformed chunk or the caller's handler throwing: stop reading
        done.tryFail(failure instanceof ProviderException ? failure : UpstreamException.connection(config.name(), failure));
        response.request().reset();
        return;
      }
      if (decoder.finished()) {
        done.tryComplete(decoder.result());
      }
    });
    response.handler(parser::feed);
    response.exceptionHandler(failure -> done.tryFail(responseFailure(failure, true)));
    response.endHandler(end -> {
      if (!done.future().isComplete()) {
        done.tryFail(new TruncatedStreamException(config.name(), "the body ended before the end marker", null));
      }
    });
    return done.future();
  }

  private Future<ChatResult> errorOf(HttpClientResponse response) {
    int status = response.statusCode();
    return response.body()
      .otherwise(Buffer.buffer())
      .compose(body -> Future.failedFuture(
        wire.decodeError(config.name(), status, body, RetryAfterHeader.parse(response.headers()))));
  }

  private Throwable connectFailure(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return new ProviderTimeoutException(config.name(), ProviderTimeoutException.Phase.CONNECT,
        config.connectTimeoutMs(), failure);
    }
    return UpstreamException.connection(config.name(), failure);
  }

  private Throwable responseFailure(Throwable failure, boolean midStream) {
    if (failure instanceof ProviderException) {
      return failure;
    }
    if (failure instanceof TimeoutException) {
      return new ProviderTimeoutException(config.name(), ProviderTimeoutException.Phase.FIRST_BYTE,
        config.firstByteTimeoutMs(), failure);
    }
    if (midStream) {
      return new TruncatedStreamException(config.name(), "connection lost: " + failure.getMessage(), failure);
    }
    return UpstreamException.connection(config.name(), failure);
  }
}
