package io.ganglion.http.auth;

import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.util.List;

/**
 * The address a request comes from: the TCP peer, or, when the peer is one of {@code http.trustedProxies}, the
 * address the proxies say in {@code X-Forwarded-For}, read from the right (the nearest hop) and skipping trusted
 * proxies, so a client cannot choose its own address by sending the header itself. From any other peer the header is
 * ignored. An entry that is not an IP address ends the walk with no address: an allowlist then refuses the request.
 */
public final class ClientAddress {

  static final String CONTEXT_KEY = "ganglion.client";
  private static final String UNKNOWN = "unknown";

  private final CidrSet trustedProxies;

  public ClientAddress(CidrSet trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /** Whether any peer is a trusted proxy, whose {@code X-Forwarded-For} names the client. */
  public boolean forwarded() {
    return !trustedProxies.isEmpty();
  }

  /** The client's address, or {@code null} when a trusted proxy forwarded something that is not an address. */
  public InetAddress resolve(RoutingContext ctx) {
    if (ctx.get(CONTEXT_KEY) instanceof Resolved r) {
      return r.address();
    }
    InetAddress peer = ctx.request().remoteAddress() == null ? null
      : CidrSet.literal(ctx.request().remoteAddress().hostAddress());
    InetAddress client = peer;
    if (peer != null && trustedProxies.contains(peer)) {
      List<String> forwarded = ctx.request().headers().getAll("X-Forwarded-For");
      String joined = String.join(",", forwarded);
      if (!joined.isBlank()) {
        String[] hops = joined.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
          InetAddress hop = CidrSet.literal(hops[i]);
          client = hop;
          if (hop == null || !trustedProxies.contains(hop)) {
            break;
          }
        }
      }
    }
    ctx.put(CONTEXT_KEY, new Resolved(client));
    return client;
  }

  /** The resolved client address as text, for audit entries and logs; the peer's when nothing was resolved yet. */
  public static String describe(RoutingContext ctx) {
    if (ctx.get(CONTEXT_KEY) instanceof Resolved r) {
      return r.address() == null ? UNKNOWN : r.address().getHostAddress();
    }
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  private record Resolved(InetAddress address) {
  }
}
