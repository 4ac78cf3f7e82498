package io.ganglion.http.limits;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.LimitsConfig;
import io.ganglion.http.auth.Principal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Rate limits while Redis is unreachable")
class RateLimitsRedisDownTest {

  private static Vertx vertx;
  private static Redis redis;
  private static RateLimiter limiter;

  @BeforeAll
  static void setUp() throws IOException {
    vertx = Vertx.vertx();
    int closed;
    // a port that was free a moment ago: nothing listens there, so every Redis call is refused at once
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    redis = Redis.createClient(vertx, "redis://127.0.0.1:" + closed);
    limiter = new RateLimiter(redis, 2_000);
  }

  @AfterAll
  static void tearDown() throws Exception {
    redis.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Principal key(String subject, int rpm) {
    return new Principal(subject, "t", Set.of("chat"), subject, rpm, null);
  }

  private static int allowedOf(RateLimits limits, Principal principal, int attempts) throws Exception {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (limits.acquire(principal).await(10, TimeUnit.SECONDS).allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  @DisplayName("per-node buckets hold the key's limit divided by the live members, and count their decisions")
  void dividesByLiveMembers() throws Exception {
    AtomicInteger members = new AtomicInteger(3);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RateLimits limits = new RateLimits(limiter, new LimitsConfig(0, 0, true, false, 64, List.of()), members::get, meters);

    // 6 per minute across three nodes: 2 here (a bucket refills one request per 10 s, far longer than this loop)
    assertThat(allowedOf(limits, key("three-nodes", 6), 5)).isEqualTo(2);
    members.set(1);
    assertThat(allowedOf(limits, key("one-node", 6), 9)).isEqualTo(6);
    assertThat(meters.get("ganglion.limits.local").counter().count()).isEqualTo(14);
  }

  @Test
  @DisplayName("an admin key is refused with 503 under the default fail-closed policy, and a key without a limit passes")
  void adminFailsClosed() throws Exception {
    RateLimits limits = new RateLimits(limiter, new LimitsConfig(0, 0, true, false, 64, List.of()), () -> 3,
      new SimpleMeterRegistry());
    Principal admin = new Principal("root", "default", Set.of(Principal.ADMIN), "root", 60, null);

    assertThatThrownBy(() -> limits.acquire(admin).await(10, TimeUnit.SECONDS))
      .satisfies(e -> assertThat(ErrorCode.of(e)).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(limits.acquire(key("unlimited", 0)).await(10, TimeUnit.SECONDS)).isNull();
  }
}
