package io.ganglion.http.routes;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console at {@code /console/}: plain ES modules and a stylesheet from the jar ({@code console/}), no build
 * step and no CDN. Every file is served with a strict Content-Security-Policy: scripts only from this origin, no
 * inline script or style, no framing, requests only to this origin — so a stored document the console displays
 * (always as text) cannot run script even if it tried. The console signs in with an API key kept in
 * {@code sessionStorage} and sends it only in the {@code Authorization} header, streams included (fetch with a
 * readable stream, not EventSource).
 */
public final class ConsoleRoutes {

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    + "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

  public void mount(Router router) {
    // Vert.x matches "/console" for "/console/" too: only the bare path is redirected
    router.get("/console").handler(ctx -> {
      if (ctx.request().path().equals("/console")) {
        ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, "/console/").end();
      } else {
        ctx.next();
      }
    });
    router.route("/console/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("Referrer-Policy", "no-referrer")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      ctx.next();
    }).handler(StaticHandler.create("console").setIndexPage("index.html").setCachingEnabled(false));
  }
}
