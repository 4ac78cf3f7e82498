package io.ganglion.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.spi.context.storage.ContextLocal;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id of the work running now, kept in the Vert.x duplicated context of the request (an HTTP request or an
 * event-bus delivery) so that it follows the request through futures, and travels between verticles and nodes in the
 * {@value #HEADER} event-bus header. The logback pattern prints it with {@code %rid}.
 * <p>
 * <b>NOTE</b>: the context local must be registered before the first {@link Vertx} is created; call {@link #init()}
 * first thing ({@code Ganglion.start} does).
 */
public final class RequestIds {

  /** Event-bus header and (case-insensitively) HTTP header carrying the id. */
  public static final String HEADER = "x-request-id";

  private static final ContextLocal<String> LOCAL = ContextLocal.registerLocal(String.class);
  private static final HexFormat HEX = HexFormat.of();

  private RequestIds() {
  }

  /** Registers the context local; idempotent, must run before any Vert.x instance exists. */
  public static void init() {
    // class initialisation did the work
  }

  /**
   * A fresh id: 16 random bytes, hex. An id correlates logs and hops and guards nothing (a client may send its own),
   * so it comes from the thread's {@link ThreadLocalRandom}: {@code SecureRandom} was a lock shared by the event loops
   * and ~2.5% of a cached ask's CPU.
   */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
  }

  /** Whether a client-supplied id is safe to echo and log: 1 to 128 of {@code A-Z a-z 0-9 . _ : -}. */
  public static boolean valid(String id) {
    // checked on every event-bus delivery: a loop, where a regular expression allocated a matcher each time
    if (id == null || id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':'
        || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** The id of the request running on the current context, or {@code null} outside of one. */
  public static String current() {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return null;
    }
    try {
      return ctx.getLocal(LOCAL);
    } catch (RuntimeException e) {
      // a Vert.x instance created before init(): no slot for the id
      return null;
    }
  }

  /** Binds {@code id} to the current (duplicated) context. */
  public static void bind(String id) {
    Context ctx = Vertx.currentContext();
    if (ctx != null && id != null) {
      ctx.putLocal(LOCAL, id);
    }
  }

  /**
   * Makes every message sent on {@code bus} carry the sender's request id, and binds it on the receiving side before
   * the consumer runs (inbound interceptors run on the consumer's duplicated context).
   */
  public static void propagate(EventBus bus) {
    bus.addOutboundInterceptor(RequestIds::stamp);
    bus.addInboundInterceptor(RequestIds::adopt);
  }

  private static <T> void stamp(DeliveryContext<T> delivery) {
    String id = current();
    if (id != null && !delivery.message().headers().contains(HEADER)) {
      delivery.message().headers().add(HEADER, id);
    }
    delivery.next();
  }

  private static <T> void adopt(DeliveryContext<T> delivery) {
    String id = delivery.message().headers().get(HEADER);
    if (valid(id)) {
      bind(id);
    }
    delivery.next();
  }
}
