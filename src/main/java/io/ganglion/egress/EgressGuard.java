package io.ganglion.egress;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one gate for outbound HTTP requests whose target someone else chose (a model's {@code http_fetch} call, a
 * tenant's webhook URL). For every hop it resolves the host, refuses the request when any resolved address is not
 * public ({@link AddressClass}: loopback, private, link-local — the cloud metadata service among them —, unspecified,
 * multicast, reserved) unless the policy allows private targets, and then connects <em>to the address it checked</em>
 * (never resolving again, so a DNS answer that changes between check and connect cannot slip past). Redirects are
 * followed by the guard itself, up to a limit, and each new target is checked the same way, including the policy's
 * host rule.
 * <pre>
 * EgressGuard guard = new EgressGuard(vertx, client, new EgressGuard.Policy(false, host -> true));
 * guard.send(HttpMethod.POST, URI.create(url), headers, body, 5_000, 0, 64 * 1024)   // a webhook: no redirects
 *   .onSuccess(response -> response.status())
 *   .onFailure(e -> ...);   // EgressRefusedException: the target was refused, and why
 * </pre>
 * <b>NOTE</b>: thread-safe; call from a Vert.x context. Name resolution uses the system resolver (so
 * {@code /etc/hosts} counts) on a worker thread, never on the event loop.
 */
public final class EgressGuard {

  /**
   * What may be reached.
   *
   * @param allowPrivateTargets whether non-public addresses may be reached (an operator's choice, for tests or an
   *                            intranet deployment)
   * @param hostAllowed         which host names (lower case) may be asked for at all, redirect targets included;
   *                            {@code host -> true} when any public host is fine
   */
  public record Policy(boolean allowPrivateTargets, Predicate<String> hostAllowed) {

    /** Any public host; no private, loopback or link-local target. */
    public static Policy publicOnly() {
      return new Policy(false, host -> true);
    }
  }

  /** A host resolved and checked: connect to {@link #address()}, say {@link #host()} in the request. */
  public record Target(String host, InetAddress address) {
  }

  /**
   * The final response, read.
   *
   * @param uri       where it came from (after redirects)
   * @param body      at most the requested number of bytes
   * @param truncated whether the body was longer (the rest was not read: the connection was reset)
   */
  public record Response(URI uri, int status, MultiMap headers, Buffer body, boolean truncated) {
  }

  private static final int DEFAULT_MAX_REDIRECTS = 5;

  private final Vertx vertx;
  private final HttpClient client;
  private final Policy policy;
  private final Function<InetAddress, AddressClass> classifier;

  /** @param client the client requests go through; its own redirect following is never used */
  public EgressGuard(Vertx vertx, HttpClient client, Policy policy) {
    this(vertx, client, policy, AddressClass::of);
  }

  /** With another address classification: tests treat one loopback address as public to stand for the internet. */
  EgressGuard(Vertx vertx, HttpClient client, Policy policy, Function<InetAddress, AddressClass> classifier) {
    this.vertx = vertx;
    this.client = client;
    this.policy = policy;
    this.classifier = classifier;
  }

  /**
   * Resolves {@code uri}'s host and checks it: the scheme must be http or https, the host allowed by the policy and
   * every address it resolves to public (unless private targets are allowed).
   *
   * @return the target to connect to; fails with {@link EgressRefusedException} saying why not
   */
  public Future<Target> check(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Future.failedFuture(new EgressRefusedException("only http and https URLs may be fetched, got '" + uri + "'"));
    }
    String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
    if (host == null || host.isEmpty()) {
      return Future.failedFuture(new EgressRefusedException("the URL '" + uri + "' has no host"));
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!policy.hostAllowed().test(bare)) {
      return Future.failedFuture(new EgressRefusedException("the host '" + bare + "' is not on the allowlist"));
    }
    return vertx.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(bare), false)
      .recover(failure -> Future.failedFuture(failure instanceof UnknownHostException
        ? new EgressRefusedException("the host '" + bare + "' does not resolve") : failure))
      .compose(addresses -> {
        for (InetAddress address : addresses) {
          AddressClass kind = classifier.apply(address);
          if (!kind.isPublic() && !policy.allowPrivateTargets()) {
            return Future.failedFuture(new EgressRefusedException("the host '" + bare + "' resolves to "
              + address.getHostAddress() + ", a " + kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
              + " address, which outbound requests may not reach"));
          }
        }
        return Future.succeededFuture(new Target(bare, addresses[0]));
      });
  }

  /**
   * Sends a request through the guard: {@code uri} checked, then each redirect's target checked, at most
   * {@code maxRedirects} of them (301, 302, 303 and 307, 308 for GET and HEAD; a 303 turns the method into GET).
   *
   * @param headers   request headers (may be {@code null}); {@code Host} is set from the URL
   * @param body      the body, or {@code null}
   * @param timeoutMs deadline of each hop's connect and of silence on the connection
   * @param maxBytes  most body bytes read; a longer body is cut there ({@link Response#truncated()})
   * @return the final response; fails with {@link EgressRefusedException} when a target is refused or the redirects
   *     run out, or with the connection's failure
   */
  public Future<Response> send(HttpMethod method, URI uri, MultiMap headers, Buffer body, long timeoutMs,
                               int maxRedirects, int maxBytes) {
    return hop(method, uri, headers, body, timeoutMs, maxRedirects, maxBytes);
  }

  /** {@link #send} of a GET with the default redirect limit (5). */
  public Future<Response> get(URI uri, MultiMap headers, long timeoutMs, int maxBytes) {
    return send(HttpMethod.GET, uri, headers, null, timeoutMs, DEFAULT_MAX_REDIRECTS, maxBytes);
  }

  private Future<Response> hop(HttpMethod method, URI uri, MultiMap headers, Buffer body, long timeoutMs,
                               int redirectsLeft, int maxBytes) {
    return check(uri).compose(target -> {
      boolean https = "https".equalsIgnoreCase(uri.getScheme());
      int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(target.host())
        .setPort(port)
        .setSsl(https)
        .setURI(path)
        // the connection goes to the address just checked, never to a fresh resolution of the name
        .setServer(SocketAddress.inetSocketAddress(port, target.address().getHostAddress()))
        .setFollowRedirects(false)
        .setConnectTimeout(timeoutMs)
        .setIdleTimeout(timeoutMs);
      if (headers != null) {
        options.setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
      }
      return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> {
          int status = response.statusCode();
          String location = response.getHeader(HttpHeaders.LOCATION);
          if (!isRedirect(status, method) || location == null) {
            return read(uri, response, maxBytes);
          }
          // the redirect's own body is not wanted, but reading a little of it keeps the connection reusable
          return read(uri, response, 8192).compose(ignored -> {
            if (redirectsLeft <= 0) {
              return Future.failedFuture(new EgressRefusedException("too many redirects (the last to " + location + ")"));
            }
            URI next;
            try {
              next = uri.resolve(location);
            } catch (IllegalArgumentException e) {
              return Future.failedFuture(new EgressRefusedException("a redirect to a malformed URL: " + location));
            }
            HttpMethod nextMethod = status == 303 ? HttpMethod.GET : method;
            return hop(nextMethod, next, headers, nextMethod == method ? body : null, timeoutMs, redirectsLeft - 1,
              maxBytes);
          });
        });
    });
  }

  /** Reads the body up to {@code maxBytes}; handlers are set in the turn the response arrives, so nothing is lost. */
  private static Future<Response> read(URI uri, HttpClientResponse response, int maxBytes) {
    Promise<Response> done = Promise.promise();
    Buffer received = Buffer.buffer();
    response.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      int room = maxBytes - received.length();
      if (chunk.length() > room) {
        received.appendBuffer(chunk, 0, Math.max(0, room));
        done.tryComplete(new Response(uri, response.statusCode(), response.headers(), received, true));
        response.request().reset();
        return;
      }
      received.appendBuffer(chunk);
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(new Response(uri, response.statusCode(), response.headers(), received, false)));
    return done.future();
  }

  private static boolean isRedirect(int status, HttpMethod method) {
    boolean safe = method == HttpMethod.GET || method == HttpMethod.HEAD;
    return switch (status) {
      case 301, 302, 307, 308 -> safe;
      case 303 -> true;
      default -> false;
    };
  }

  /** Which of {@code names} a host matches: exact names, or {@code *.example.com} for its subdomains. */
  public static Predicate<String> allowlist(List<String> names) {
    List<String> lower = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    return host -> lower.stream().anyMatch(name -> name.startsWith("*.")
      ? host.endsWith(name.substring(1)) && host.length() > name.length() - 1
      : host.equals(name));
  }
}
