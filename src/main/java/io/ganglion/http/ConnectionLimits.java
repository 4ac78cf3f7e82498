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
import java.util.concurrent.TimeUnit;
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
  /** Per open connection of this instance: its header deadline timer, the requests in flight, when it fell idle. */
  private final Map<HttpConnection, State> connections = new HashMap<>();

  /**
   * The header deadline is checked lazily, as Netty's idle handlers check theirs: a request neither cancels nor re-arms
   * the connection's timer (two timer operations on every request), it only counts itself in and out; when the timer
   * fires, it closes the connection if nothing is in flight and the last answer (or the opening) is a full deadline
   * ago, and otherwise waits again for the rest of the deadline.
   */
  private static final class State {
    long timer = -1;
    int inFlight;
    /** {@link System#nanoTime()} when the connection opened or its last request ended. */
    long idleSince = System.nanoTime();
    /** HTTP/2: multiplexed, so the idle timeout governs the connection once its first request arrived. */
    boolean multiplexed;
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
    armHeaderDeadline(conn, state, settings.headerTimeoutMs());
  }

  /**
   * The router's first handler: the request head is complete, so the connection's header deadline is met; an
   * HTTP/1.x connection's next one runs from the moment every request it carried has been answered.
   */
  @Override
  public void handle(RoutingContext ctx) {
    HttpConnection conn = ctx.request().connection();
    State state = conn == null ? null : connections.get(conn);
    if (state != null && !state.multiplexed) {
      if (ctx.request().version() == HttpVersion.HTTP_2) {
        state.multiplexed = true;
        vertx.cancelTimer(state.timer);
        state.timer = -1;
      } else {
        state.inFlight++;
        ctx.addEndHandler(ended -> {
          if (--state.inFlight == 0) {
            state.idleSince = System.nanoTime(); // keep-alive: the next request's head is due within the deadline
          }
        });
      }
    }
    ctx.next();
  }

  private void armHeaderDeadline(HttpConnection conn, State state, long delayMs) {
    state.timer = vertx.setTimer(delayMs, t -> {
      state.timer = -1;
      if (state.multiplexed || connections.get(conn) != state) {
        return;
      }
      long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.headerTimeoutMs());
      long left = state.inFlight > 0 ? timeoutNanos : state.idleSince + timeoutNanos - System.nanoTime();
      if (left <= 0) {
        headerTimeouts.increment();
        conn.close();
      } else {
        armHeaderDeadline(conn, state, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
      }
    });
  }
}
