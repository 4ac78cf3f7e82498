package io.ganglion.http.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The API document and its browsable page, no credential needed:
 * <ul>
 *   <li>{@code GET /openapi.json}: {@code openapi/openapi.yaml} from the jar (hand-written, kept true by
 *   {@code OpenApiConformanceIT}), as JSON.</li>
 *   <li>{@code GET /docs}: Swagger UI from its webjar, pointed at {@code /openapi.json}; no CDN, no inline script.</li>
 * </ul>
 */
public final class DocsRoutes {

  static final String DOCUMENT = "openapi/openapi.yaml";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final Buffer document = document();

  public void mount(Router router) {
    router.get("/openapi.json").handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
      .end(document));
    router.get("/docs").handler(ctx -> resource(ctx, "docs/index.html", "text/html; charset=utf-8"));
    // static files (no method): not API routes, so not in the document
    router.route("/docs/assets/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CSP);
      ctx.next();
    }).handler(StaticHandler.create("docs"));
    router.route("/docs/ui/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CSP);
      ctx.next();
    }).handler(StaticHandler.create(WEBJAR + swaggerUiVersion()).setCachingEnabled(true));
  }

  private static void resource(RoutingContext ctx, String path, String type) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).putHeader("Content-Security-Policy", CSP)
      .putHeader("X-Content-Type-Options", "nosniff")
      .end(Buffer.buffer(read(path)));
  }

  /** The document as JSON bytes, read and converted once. */
  static Buffer document() {
    LoaderOptions options = new LoaderOptions();
    Map<String, Object> tree = new Yaml(new SafeConstructor(options)).load(new String(read(DOCUMENT), StandardCharsets.UTF_8));
    return new JsonObject(tree).toBuffer();
  }

  private static String swaggerUiVersion() {
    try (InputStream in = DocsRoutes.class.getClassLoader()
      .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the swagger-ui webjar is missing from the classpath", e);
    }
  }

  private static byte[] read(String path) {
    try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
