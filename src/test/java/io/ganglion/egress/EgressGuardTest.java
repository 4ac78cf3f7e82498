package io.ganglion.egress;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Real servers on loopback. One of them listens on 127.0.0.2, which the guard under test is told to classify as a
 * public address: it stands for "somewhere on the internet" so that a redirect from there back to 127.0.0.1 can be
 * tried.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The egress guard")
class EgressGuardTest {

  private HttpClient client;
  private int inside;
  private int outside;
  private final AtomicInteger insideHits = new AtomicInteger();

  @BeforeEach
  void start(Vertx vertx) {
    client = vertx.createHttpClient();
    HttpServer secret = vertx.createHttpServer().requestHandler(r -> {
      insideHits.incrementAndGet();
      r.response().end("the metadata secret");
    });
    inside = secret.listen(0, "127.0.0.1").await().actualPort();
    HttpServer redirector = vertx.createHttpServer().requestHandler(r -> {
      switch (r.path()) {
        case "/to-localhost" -> r.response().setStatusCode(302).putHeader("location", "http://localhost:" + inside + "/").end();
        case "/to-ip" -> r.response().setStatusCode(301).putHeader("location", "http://127.0.0.1:" + inside + "/x").end();
        case "/loop" -> r.response().setStatusCode(302).putHeader("location", "/loop").end();
        case "/elsewhere" -> r.response().setStatusCode(302).putHeader("location", "http://127.0.0.2:" + r.localAddress().port() + "/plain").end();
        default -> r.response().end("public page");
      }
    });
    outside = redirector.listen(0, "127.0.0.2").await().actualPort();
  }

  /** 127.0.0.2 plays the internet; every other address is classified as usual. */
  private EgressGuard guard(Vertx vertx, EgressGuard.Policy policy) {
    return new EgressGuard(vertx, client, policy,
      address -> address.getHostAddress().equals("127.0.0.2") ? AddressClass.PUBLIC : AddressClass.of(address));
  }

  @Test
  @DisplayName("refuses a host name that resolves to 127.0.0.1, and never connects")
  void refusesLocalhost(Vertx vertx) {
    Throwable refused = catchThrowable(() -> new EgressGuard(vertx, client, EgressGuard.Policy.publicOnly())
      .get(URI.create("http://localhost:" + inside + "/"), null, 5_000, 1024).await());

    assertThat(refused).isInstanceOf(EgressRefusedException.class).hasMessageContaining("loopback");
    assertThat(insideHits).hasValue(0);
  }

  @Test
  @DisplayName("refuses a redirect to a host resolving to 127.0.0.1 and a redirect to the loopback IP itself")
  void refusesRedirectsInside(Vertx vertx) {
    EgressGuard guard = guard(vertx, EgressGuard.Policy.publicOnly());

    Throwable byName = catchThrowable(() -> guard.get(URI.create("http://127.0.0.2:" + outside + "/to-localhost"), null, 5_000, 1024).await());
    Throwable byIp = catchThrowable(() -> guard.get(URI.create("http://127.0.0.2:" + outside + "/to-ip"), null, 5_000, 1024).await());

    assertThat(byName).isInstanceOf(EgressRefusedException.class).hasMessageContaining("'localhost' resolves to");
    assertThat(byIp).isInstanceOf(EgressRefusedException.class).hasMessageContaining("127.0.0.1");
    assertThat(insideHits).hasValue(0);
  }

  @Test
  @DisplayName("follows redirects between allowed targets, and stops a redirect loop")
  void followsAndLimits(Vertx vertx) {
    EgressGuard guard = guard(vertx, EgressGuard.Policy.publicOnly());

    EgressGuard.Response response = guard.get(URI.create("http://127.0.0.2:" + outside + "/elsewhere"), null, 5_000, 1024).await();
    Throwable loop = catchThrowable(() -> guard.get(URI.create("http://127.0.0.2:" + outside + "/loop"), null, 5_000, 1024).await());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().toString()).isEqualTo("public page");
    assertThat(loop).isInstanceOf(EgressRefusedException.class).hasMessageContaining("too many redirects");
  }

  @Test
  @DisplayName("reaches private targets when the policy allows them")
  void allowsPrivateWhenConfigured(Vertx vertx) {
    EgressGuard.Response response = new EgressGuard(vertx, client, new EgressGuard.Policy(true, host -> true))
      .get(URI.create("http://localhost:" + inside + "/"), null, 5_000, 1024).await();

    assertThat(response.body().toString()).isEqualTo("the metadata secret");
    EgressGuard.Response cut = new EgressGuard(vertx, client, new EgressGuard.Policy(true, host -> true))
      .get(URI.create("http://localhost:" + inside + "/"), null, 5_000, 7).await();
    assertThat(cut.body().toString()).isEqualTo("the met");
    assertThat(cut.truncated()).isTrue();
  }

  @Test
  @DisplayName("applies the host rule to redirect targets too, and refuses schemes other than http(s)")
  void hostRuleOnEveryHop(Vertx vertx) throws Exception {
    EgressGuard guard = guard(vertx, new EgressGuard.Policy(true, EgressGuard.allowlist(List.of("127.0.0.2"))));

    Throwable redirected = catchThrowable(() -> guard.get(URI.create("http://127.0.0.2:" + outside + "/to-localhost"), null, 5_000, 1024).await());
    Throwable file = catchThrowable(() -> guard.get(URI.create("file:///etc/passwd"), null, 5_000, 1024).await());

    assertThat(redirected).isInstanceOf(EgressRefusedException.class).hasMessageContaining("'localhost' is not on the allowlist");
    assertThat(file).isInstanceOf(EgressRefusedException.class).hasMessageContaining("only http and https");
    assertThat(EgressGuard.allowlist(List.of("*.example.com", "api.test")))
      .accepts("docs.example.com", "a.b.example.com", "api.test").rejects("example.com", "evilexample.com", "api.test.evil");
    assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
  }
}
