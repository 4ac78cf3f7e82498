package io.ganglion.bridge;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.AskStreams;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.auth.CidrSet;
import io.ganglion.http.auth.Credentials;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.limits.RateLimits;
import io.ganglion.store.JobRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a bridge client may do, frame by frame, checked as HTTP checks a request:
 * <ul>
 *   <li>every frame carries {@code "headers":{"authorization":"Bearer <key or JWT>"}}, verified like an HTTP
 *       credential ({@link Credentials}) and removed before the frame goes further; one credential per connection;</li>
 *   <li>{@code send} only to the public addresses of verticles.md, each with its scope ({@link #SCOPES}), under the
 *       caller's rate limit; the body's {@code "tenant"} is always the credential's, whatever the client wrote;
 *       an {@code x-ask-stream} header must name a stream address this connection registered; a send without a
 *       {@code timeout} header gets {@code bus.timeoutMs};</li>
 *   <li>{@code register} only to an ask stream ({@code ganglion.orchestrator.stream.<id>}, scope {@code chat}) or to
 *       the progress address of one of the tenant's ingestion jobs ({@code ganglion.retrieval.job.<id>},
 *       {@code kb:read}); a stream's {@code .cancel} address may then be sent to;</li>
 *   <li>nothing else: {@code publish}, internal addresses and the cluster's own addresses are refused.</li>
 *   <li>an API key with {@code allowCidrs} only from a client address inside them, as over HTTP.</li>
 * </ul>
 * A refusal is an {@code err} frame with the failure's code (4000, 4010, 4030, 4040, 4290, 5031).
 */
final class BridgeGate {

  /** The public addresses a bridge client may send to, and the scope each needs. */
  static final Map<String, String> SCOPES = Map.ofEntries(
    Map.entry(Addresses.INFERENCE_EMBED, "chat"),
    Map.entry(Addresses.INFERENCE_RERANK, "chat"),
    Map.entry(Addresses.INFERENCE_MODELS, "chat"),
    Map.entry(Addresses.RETRIEVAL_KB_CREATE, "kb:write"),
    Map.entry(Addresses.RETRIEVAL_KB_LIST, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_KB_GET, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_KB_DELETE, "kb:write"),
    Map.entry(Addresses.RETRIEVAL_KB_UPDATE, "kb:write"),
    Map.entry(Addresses.RETRIEVAL_INGEST, "kb:write"),
    Map.entry(Addresses.RETRIEVAL_SEARCH, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_DELETE, "kb:write"),
    Map.entry(Addresses.RETRIEVAL_DOCUMENT_GET, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_DOCUMENT_LIST, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_JOB_GET, "kb:read"),
    Map.entry(Addresses.RETRIEVAL_JOB_CANCEL, "kb:write"),
    Map.entry(Addresses.REFLEX_INSPECT, "chat"),
    Map.entry(Addresses.REFLEX_ASK, "chat"),
    Map.entry(Addresses.ORCHESTRATOR_ASK, "chat"),
    Map.entry(Addresses.ORCHESTRATOR_CONVERSATION_GET, "chat"),
    Map.entry(Addresses.ORCHESTRATOR_TRACE_GET, "chat"),
    Map.entry(Addresses.ORCHESTRATOR_TRACE_LIST, "chat"),
    Map.entry(Addresses.ORCHESTRATOR_TRACE_FEEDBACK, "chat"));

  /** Ask-stream addresses ({@link AskStreams#open} makes them; a client makes its own, unguessable). */
  static final Pattern STREAM = Pattern.compile(Pattern.quote(AskStreams.STREAM_PREFIX) + "[A-Za-z0-9-]{16,64}");
  /** Job progress addresses. */
  static final Pattern JOB = Pattern.compile(Pattern.quote("ganglion.retrieval.job.") + "([0-9a-f-]{36})");

  private final Credentials credentials;
  private final RateLimits limits;
  private final JobRepository jobs;
  private final long busTimeoutMs;

  BridgeGate(Credentials credentials, RateLimits limits, JobRepository jobs, long busTimeoutMs) {
    this.credentials = credentials;
    this.limits = limits;
    this.jobs = jobs;
    this.busTimeoutMs = busTimeoutMs;
  }

  /**
   * Admits {@code frame} from {@code connection}: the frame to forward (credential removed, tenant set), or a failure
   * with the code to answer.
   */
  Future<JsonObject> admit(JsonObject frame, BridgeConnection connection) {
    JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
    String credential = Credentials.bearer(headers.getValue("authorization") instanceof String s ? s : null);
    if (credential == null) {
      return refused(ErrorCode.UNAUTHORIZED, "every frame needs \"headers\":{\"authorization\":\"Bearer <key or JWT>\"}");
    }
    return credentials.verify(credential).compose(principal -> {
      if (!principal.allowCidrs().isEmpty() && !principal.allowCidrs().contains(CidrSet.literal(connection.remoteHost()))) {
        return refused(ErrorCode.FORBIDDEN, "this credential is not allowed from " + connection.remoteHost());
      }
      if (!connection.bind(principal)) {
        return refused(ErrorCode.FORBIDDEN, "one credential per connection, or over bridge.maxConnectionsPerKey");
      }
      headers.remove("authorization");
      String type = frame.getValue("type") instanceof String t ? t : "";
      String address = frame.getValue("address") instanceof String a ? a : null;
      return switch (type) {
        case "ping" -> Future.succeededFuture(frame);
        case "send" -> send(frame, headers, address, principal, connection);
        case "register" -> register(frame, address, principal, connection);
        case "unregister" -> connection.registered(address) ? Future.succeededFuture(frame)
          : refused(ErrorCode.NOT_FOUND, "this connection has no registration on '" + address + "'");
        case "publish" -> refused(ErrorCode.FORBIDDEN, "bridge clients may not publish");
        default -> refused(ErrorCode.INVALID_REQUEST, "unknown frame type '" + type + "'");
      };
    });
  }

  private Future<JsonObject> send(JsonObject frame, JsonObject headers, String address, Principal principal,
                                  BridgeConnection connection) {
    if (address != null && address.endsWith(AskStreams.CANCEL_SUFFIX)
      && connection.registered(address.substring(0, address.length() - AskStreams.CANCEL_SUFFIX.length()))) {
      return Future.succeededFuture(frame);
    }
    String scope = address == null ? null : SCOPES.get(address);
    if (scope == null) {
      return refused(ErrorCode.FORBIDDEN, "'" + address + "' is not a public address open to bridge clients");
    }
    if (!principal.has(scope)) {
      return refused(ErrorCode.FORBIDDEN, "this credential lacks the scope " + scope);
    }
    Object stream = headers.getValue(AskStreams.STREAM_HEADER);
    if (stream != null && !(stream instanceof String s && STREAM.matcher(s).matches() && connection.registered(s))) {
      return refused(ErrorCode.INVALID_REQUEST, "'" + AskStreams.STREAM_HEADER
        + "' must name a ganglion.orchestrator.stream.<id> address this connection registered");
    }
    if (!(frame.getValue("body") instanceof JsonObject body)) {
      return refused(ErrorCode.INVALID_REQUEST, "'body' must be a JSON object");
    }
    body.put("tenant", principal.tenant());
    if (!(headers.getValue("timeout") instanceof Number n) || n.longValue() <= 0 || n.longValue() > busTimeoutMs * 6) {
      headers.put("timeout", busTimeoutMs);
    }
    frame.put("headers", headers);
    return limits.acquire(principal).compose(decision -> decision == null || decision.allowed()
      ? Future.succeededFuture(frame)
      : refused(ErrorCode.RATE_LIMITED, "rate limit of " + decision.limit() + " requests per minute exceeded; retry in "
        + Math.max(1, (decision.retryAfterMs() + 999) / 1000) + " s"));
  }

  private Future<JsonObject> register(JsonObject frame, String address, Principal principal, BridgeConnection connection) {
    if (address != null && STREAM.matcher(address).matches()) {
      if (!principal.has("chat")) {
        return refused(ErrorCode.FORBIDDEN, "this credential lacks the scope chat");
      }
      connection.register(address);
      return Future.succeededFuture(frame);
    }
    var job = address == null ? null : JOB.matcher(address);
    if (job != null && job.matches()) {
      if (!principal.has("kb:read")) {
        return refused(ErrorCode.FORBIDDEN, "this credential lacks the scope kb:read");
      }
      return jobs.get(principal.tenant(), job.group(1)).compose(found -> {
        if (found.isEmpty()) {
          return refused(ErrorCode.NOT_FOUND, "no such job");
        }
        connection.register(address);
        return Future.succeededFuture(frame);
      });
    }
    return refused(ErrorCode.FORBIDDEN, "bridge clients may register only ask streams and their own jobs' progress");
  }

  private static Future<JsonObject> refused(ErrorCode code, String message) {
    return Future.failedFuture(code.exception(message));
  }
}
