package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;

/**
 * The global IP allowlist ({@code http.allowCidrs}; empty = every address): a request whose client address
 * ({@link ClientAddress}, honouring {@code X-Forwarded-For} only from {@code http.trustedProxies}) is outside it gets
 * 403 {@code forbidden} before anything else looks at it, and counts towards an aggregated {@code ip.refused} audit
 * entry. It applies to every route, probes and metrics included: allow the addresses they come from. With trusted
 * proxies it also resolves the client address when no allowlist is set, so audit entries name the client rather than
 * the proxy ({@link ClientAddress#describe}); with neither, the peer is the client, and it need not be mounted
 * ({@link #needed}).
 */
public final class IpAllowlist implements Handler<RoutingContext> {

  private final CidrSet allowed;
  private final ClientAddress clients;
  private final RefusalAudit refusals;

  public IpAllowlist(CidrSet allowed, ClientAddress clients, RefusalAudit refusals) {
    this.allowed = allowed;
    this.clients = clients;
    this.refusals = refusals;
  }

  /** Whether the router needs this handler: an allowlist is set, or trusted proxies may forward a client address. */
  public boolean needed() {
    return !allowed.isEmpty() || clients.forwarded();
  }

  @Override
  public void handle(RoutingContext ctx) {
    InetAddress client = clients.resolve(ctx);
    if (!allowed.isEmpty() && !allowed.contains(client)) {
      refusals.refused(ClientAddress.describe(ctx), null, "http.allowCidrs", ctx.request().path());
      ctx.fail(ErrorCode.FORBIDDEN.exception("requests from your address are not allowed"));
      return;
    }
    ctx.next();
  }

  /** After authentication: the key's own {@code allowCidrs}, if it has any. */
  public Handler<RoutingContext> perKey() {
    return ctx -> {
      Principal principal = Principal.of(ctx);
      if (principal != null && !principal.allowCidrs().isEmpty() && !principal.allowCidrs().contains(clients.resolve(ctx))) {
        refusals.refused(ClientAddress.describe(ctx), principal.tenant(), "key:" + principal.keyId(), ctx.request().path());
        ctx.fail(ErrorCode.FORBIDDEN.exception("this API key is not allowed from your address"));
        return;
      }
      ctx.next();
    };
  }
}
