package io.ganglion.http;

import io.ganglion.bus.MeterRegistries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps slow or abusive clients from holding the server's connections (slowloris and friends):
 * <ul>
 *   <li>a cap on open connections across every HTTP verticle instance ({@code http.maxConnections}), and optionally
 *   per source address ({@code http.maxConnectionsPerAddress}, 0 = off: behind a load balancer every connection
 *   comes from its address); a connection over a cap is closed as soon as it is accepted;</li>
 *   <li>a deadline for the request head ({@code http.headerTimeoutMs}): a new connection, from its first byte (or its
 *   TLS handshake), and an HTTP/1.x keep-alive connection once it has answered everything it was asked, must deliver a
 *   complete request line and headers within it, or it is closed. A client dribbling its headers a byte at a time
 *   never looks idle, so the idle timeout alone would not catch it.</li>
 * </ul>
 * Vert.x hands a connection over at its first byte, so one that never sends anything is counted by neither cap and
 * is closed by the idle timeout.
 * The idle timeout ({@code http.idleTimeoutMs}) is Vert.x's own; the body deadline is {@link BodyDeadline}.
 * Meters: {@code ganglion_http_connections_refused_total{reason=cap|address}},
 * {@code ganglion_http_header_timeouts_total}.
 * <p>
 * <b>NOTE</b>: one instance per HTTP verticle instance; its per-connection state is confined to that instance's event
 * loop (Vert.x calls the connection and request handlers of a server instance there). Mount it as the router's first
 * handler and as the server's connection handler. The counts are shared by all
 * instances of one Vert.x.
 */
public final class ConnectionLimits implements Handler<RoutingContext> {

  /** The limits; {@code maxPerAddress} 0 = no per-address cap. */
  public record Settings(int maxConnections, int maxPerAddress, long headerTimeoutMs) {
  }

  private static final String SHARED = "ganglion.http.connections";

  private final Vertx vertx;
  private final Settings settings;
  private final Counts counts;
  private final Counter refusedCap;
  private final Counter refusedAddress;
  private final Counter headerTimeouts;
  /** Per open connection of this instance: the pending header deadline timer (or -1) and the requests in flight. */
  private final Map<HttpConnection, State> connections = new HashMap<>();

  private static final class State {
    long timer = -1;
    int inFlight;
  }

  /** The open-connection counts of one Vert.x, shared by its HTTP verticle instances. */
  private static final class Counts implements Shareable {
    final AtomicInteger open = new AtomicInteger();
    final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  }

  public ConnectionLimits(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.counts = (Counts) vertx.sharedData().getLocalMap(SHARED).computeIfAbsent("counts", k -> new Counts());
    MeterRegistry meters = MeterRegistries.of(vertx);
    refusedCap = meters.counter("ganglion.http.connections.refused", "reason", "cap");
    refusedAddress = meters.counter("ganglion.http.connections.refused", "reason", "address");
    headerTimeouts = meters.counter("ganglion.http.header.timeouts");
  }

  /** Open connections of this Vert.x right now. */
  public int open() {
    return counts.open.get();
  }

  /** The server's connection handler. */
  public void connected(HttpConnection conn) {
    String address = conn.remoteAddress() == null ? "" : conn.remoteAddress().hostAddress();
    AtomicInteger fromAddress = counts.byAddress.computeIfAbsent(address, a -> new AtomicInteger());
    int total = counts.open.incrementAndGet();
    int mine = fromAddress.incrementAndGet();
    conn.closeHandler(v -> {
      counts.open.decrementAndGet();
      if (fromAddress.decrementAndGet() == 0) {
        counts.byAddress.remove(address, fromAddress);
      }
      State state = connections.remove(conn);
      if (state != null) {
        vertx.cancelTimer(state.timer);
      }
    });
    if (total > settings.maxConnections()) {
      refusedCap.increment();
      conn.close();
      return;
    }
    if (settings.maxPerAddress() > 0 && mine > settings.maxPerAddress()) {
      refusedAddress.increment();
      conn.close();
      return;
    }
    State state = new State();
    connections.put(conn, state);
    armHeaderDeadline(conn, state);
  }

  /**
   * The router's first handler: the request head is complete, so the connection's header deadline is met; an
   * HTTP/1.x connection gets a new one once every request it carried has been answered.
   */
  @Override
  public void handle(RoutingContext ctx) {
    HttpConnection conn = ctx.request().connection();
    State state = conn == null ? null : connections.get(conn);
    if (state != null) {
      vertx.cancelTimer(state.timer);
      state.timer = -1;
      if (ctx.request().version() != HttpVersion.HTTP_2) { // multiplexed: the idle timeout governs the connection
        state.inFlight++;
        ctx.addEndHandler(ended -> {
          state.inFlight--;
          if (state.inFlight == 0 && connections.get(conn) == state) {
            armHeaderDeadline(conn, state); // keep-alive: the next request's head is due within the deadline too
          }
        });
      }
    }
    ctx.next();
  }

  private void armHeaderDeadline(HttpConnection conn, State state) {
    state.timer = vertx.setTimer(settings.headerTimeoutMs(), t -> {
      state.timer = -1;
      if (state.inFlight == 0) {
        headerTimeouts.increment();
        conn.close();
      }
    });
  }
}
