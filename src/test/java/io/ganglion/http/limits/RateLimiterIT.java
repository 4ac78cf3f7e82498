package io.ganglion.http.limits;

import io.ganglion.store.RedisOnContext;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The Redis rate limiter: one script call by SHA, grouped per credential, leased in batches, the day's token count in the same call")
class RateLimiterIT {

  static RedisOnContext fixture;
  static Redis redis;
  RateLimiter limiter;

  @BeforeAll
  static void start() throws Exception {
    fixture = RedisOnContext.start("rate-limiter-");
    redis = fixture.redis;
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void fresh() throws Exception {
    send(Request.cmd(Command.FLUSHALL));
    send(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    send(Request.cmd(Command.CONFIG).arg("RESETSTAT"));
    limiter = new RateLimiter(redis, 5_000);
  }

  @Test
  @DisplayName("requests of one credential arriving together go in one call after the first, and get exactly the bucket's tokens")
  void groupsConcurrentRequests() throws Exception {
    List<RateLimiter.Decision> decisions = onContext(() -> {
      List<Future<RateLimiter.Decision>> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        all.add(limiter.acquire("key:hot", 5));
      }
      return Future.all(all).map(f -> f.<RateLimiter.Decision>list());
    });

    assertThat(decisions).hasSize(20);
    assertThat(decisions.stream().filter(RateLimiter.Decision::allowed).map(RateLimiter.Decision::remaining))
      .as("the first takes a token alone, the next four of the group take the rest in order")
      .containsExactly(4L, 3L, 2L, 1L, 0L);
    assertThat(decisions.subList(5, 20)).allSatisfy(d -> {
      assertThat(d.allowed()).isFalse();
      assertThat(d.retryAfterMs()).isPositive();
      assertThat(d.limit()).isEqualTo(5);
    });
    assertThat(calls("evalsha")).as("the first request's call, then one for the 19 that waited").isEqualTo(2);
    assertThat(calls("eval")).isZero();
  }

  @Test
  @DisplayName("credentials are grouped apart: another credential's bucket is untouched by a hot one")
  void groupsPerCredential() throws Exception {
    List<RateLimiter.Decision> decisions = onContext(() -> {
      List<Future<RateLimiter.Decision>> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(limiter.acquire("key:a", 3));
      }
      all.add(limiter.acquire("key:b", 3));
      return Future.all(all).map(f -> f.<RateLimiter.Decision>list());
    });

    assertThat(decisions.subList(0, 6).stream().filter(RateLimiter.Decision::allowed).count()).isEqualTo(3);
    assertThat(decisions.get(6).allowed()).isTrue();
    assertThat(decisions.get(6).remaining()).isEqualTo(2);
  }

  @Test
  @DisplayName("a Redis that forgot the script (SCRIPT FLUSH, a restart) answers NOSCRIPT: the call is repeated with EVAL, then by SHA again")
  void noScriptFallsBackToEval() throws Exception {
    assertThat(onContext(() -> limiter.acquire("key:c", 10)).remaining()).isEqualTo(9);
    send(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    send(Request.cmd(Command.CONFIG).arg("RESETSTAT"));

    RateLimiter.Decision afterFlush = onContext(() -> limiter.acquire("key:c", 10));
    RateLimiter.Decision next = onContext(() -> limiter.acquire("key:c", 10));

    assertThat(afterFlush.allowed()).isTrue();
    assertThat(afterFlush.remaining()).as("the bucket survived, only the script was lost").isEqualTo(8);
    assertThat(next.remaining()).isEqualTo(7);
    assertThat(calls("eval")).as("one EVAL reloads the script").isEqualTo(1);
    assertThat(calls("evalsha")).as("the refused EVALSHA and the next request's").isEqualTo(2);
  }

  @Test
  @DisplayName("with a budget key the same call reads the day's token count (0 when unset); without one it reports -1")
  void readsTokenCountInTheSameCall() throws Exception {
    send(Request.cmd(Command.SET).arg("ganglion:tokens:test:today").arg(1234));

    RateLimiter.Decision counted = onContext(() -> limiter.acquire("key:d", 10, "ganglion:tokens:test:today"));
    RateLimiter.Decision unset = onContext(() -> limiter.acquire("key:d", 10, "ganglion:tokens:test:none"));
    RateLimiter.Decision without = onContext(() -> limiter.acquire("key:d", 10));

    assertThat(counted.tokensUsed()).isEqualTo(1234);
    assertThat(unset.tokensUsed()).isZero();
    assertThat(without.tokensUsed()).isEqualTo(-1);
    assertThat(without.remaining()).as("all three took from the same bucket").isEqualTo(7);
    assertThat(calls("evalsha")).as("one script call per request").isEqualTo(3);
    // Redis counts the commands a script runs too: the two budgeted calls' GETs inside the script, no separate one
    assertThat(calls("get")).isEqualTo(2);
  }

  @Test
  @DisplayName("when Redis does not answer every request of the group fails, and the next request starts a new call")
  void failureReachesTheWholeGroup() throws Exception {
    RateLimiter dead = new RateLimiter(Redis.createClient(fixture.vertx, "redis://127.0.0.1:1"), 2_000);
    List<Throwable> failures = onContext(() -> {
      List<Future<RateLimiter.Decision>> all = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        all.add(dead.acquire("key:e", 5));
      }
      return Future.join(all).transform(ar -> Future.succeededFuture(
        all.stream().map(Future::cause).toList()));
    });
    assertThat(failures).hasSize(3).doesNotContainNull();
    Throwable again = onContext(() -> dead.acquire("key:e", 5).transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(again).isNotNull();
  }

  @Test
  @DisplayName("a lease serves the next requests of the credential without Redis: 200 one after another cost a call per 32 to 64")
  void leasedPermitsSkipRedis() throws Exception {
    RateLimiter leasing = new RateLimiter(redis, 5_000, rpm -> 64, 60_000, key -> new java.util.concurrent.atomic.AtomicLong());
    List<RateLimiter.Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      decisions.add(onContext(() -> leasing.acquire("key:lease", 640_000)));
    }
    assertThat(decisions).allSatisfy(d -> assertThat(d.allowed()).isTrue());
    // the first call leases 64; each later one brings at least 32 (a top-up at half a lease, or a whole lease when
    // the permits ran out before the top-up came back), so 200 requests need 4 to 7 calls
    assertThat(calls("evalsha")).isBetween(4L, 7L);
    assertThat(decisions.get(1).remaining()).as("the bucket's tokens plus the permits still leased")
      .isEqualTo(decisions.get(0).remaining() - 1);
  }

  @Test
  @DisplayName("half a lease used, a call tops the permits up in the background: requests meanwhile take the permits left, and no more than one lease is ever held")
  void topUpAtHalfALease() throws Exception {
    RateLimiter leasing = new RateLimiter(redis, 5_000, rpm -> 64, 60_000, key -> new java.util.concurrent.atomic.AtomicLong());
    assertThat(onContext(() -> leasing.acquire("key:topup", 640_000)).allowed()).isTrue();
    assertThat(onContext(() -> Future.succeededFuture(leasing.held("key:topup", 640_000, null))))
      .as("the first call leased 64, one of them used").isEqualTo(63L);
    // 31 more from the lease: 32 left, half of it, so the 31st starts a top-up; the 32nd finds it still in flight (its
    // reply cannot arrive within this turn of the event loop) and is decided from the permits at once all the same
    List<RateLimiter.Decision> meanwhile = onContext(() -> {
      List<RateLimiter.Decision> taken = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        taken.add(leasing.leased("key:topup", 640_000, null));
      }
      return Future.succeededFuture(taken);
    });
    assertThat(meanwhile).doesNotContainNull().allSatisfy(d -> assertThat(d.allowed()).isTrue());
    // the top-up asked for what the lease lacked when it left (32): 31 held while it was out, 63 once it is back
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long held = 0;
    while (System.nanoTime() < deadline && (held = onContext(() ->
      Future.succeededFuture(leasing.held("key:topup", 640_000, null)))) == 31) {
      // the reply is on its way: ask again (each look is a hop to the event loop)
    }
    assertThat(held).as("never over one lease (64)").isEqualTo(63);
    assertThat(calls("evalsha")).as("one call to lease, one to top up").isEqualTo(2);
  }

  @Test
  @DisplayName("leases keep the limit global: two nodes leasing 10 at a time from a bucket of 30 admit 30 requests together, not more")
  void leasesKeepTheLimitGlobal() throws Exception {
    // a limit of 30 per minute refills one token every 2 s: the 80 requests below finish long before one more arrives,
    // except on a very slow machine (then 31)
    RateLimiter nodeA = new RateLimiter(redis, 5_000, rpm -> 10, 60_000, key -> new java.util.concurrent.atomic.AtomicLong());
    RateLimiter nodeB = new RateLimiter(redis, 5_000, rpm -> 10, 60_000, key -> new java.util.concurrent.atomic.AtomicLong());
    int allowedA = 0;
    int allowedB = 0;
    for (int i = 0; i < 40; i++) {
      allowedA += onContext(() -> nodeA.acquire("key:global", 30)).allowed() ? 1 : 0;
      allowedB += onContext(() -> nodeB.acquire("key:global", 30)).allowed() ? 1 : 0;
    }
    assertThat(allowedA + allowedB).isBetween(30, 31);
    assertThat(allowedA).as("each node admitted its first lease at least; how the rest split depends on the top-ups")
      .isGreaterThanOrEqualTo(10);
    assertThat(allowedB).isGreaterThanOrEqualTo(10);
    RateLimiter.Decision refused = onContext(() -> nodeB.acquire("key:global", 30));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterMs()).isPositive();
  }

  @Test
  @DisplayName("a changed limit takes a new lease at the next request; permits past leaseMs are dropped, not used")
  void changedLimitAndExpiredLease() throws Exception {
    RateLimiter leasing = new RateLimiter(redis, 5_000, rpm -> 10, 60_000, key -> new java.util.concurrent.atomic.AtomicLong());
    assertThat(onContext(() -> leasing.acquire("key:change", 30)).limit()).isEqualTo(30);
    assertThat(onContext(() -> leasing.acquire("key:change", 30)).limit()).isEqualTo(30);
    assertThat(calls("evalsha")).isEqualTo(1);
    RateLimiter.Decision changed = onContext(() -> leasing.acquire("key:change", 60));
    assertThat(changed.limit()).isEqualTo(60);
    assertThat(calls("evalsha")).as("the new limit is its own lease, taken now").isEqualTo(2);

    RateLimiter expiring = new RateLimiter(redis, 5_000, rpm -> 10, 0, key -> new java.util.concurrent.atomic.AtomicLong());
    for (int i = 0; i < 3; i++) {
      assertThat(onContext(() -> expiring.acquire("key:expiring", 600)).allowed()).isTrue();
    }
    assertThat(calls("evalsha")).as("a lease of 0 ms is spent at once: each request leases again").isEqualTo(5);
  }

  @Test
  @DisplayName("a lease reports the day's token count it read plus what this node charged since, without asking Redis again")
  void leaseAddsLocalCharges() throws Exception {
    send(Request.cmd(Command.SET).arg("ganglion:tokens:lease:today").arg(100));
    java.util.concurrent.atomic.AtomicLong charged = new java.util.concurrent.atomic.AtomicLong(7);
    RateLimiter leasing = new RateLimiter(redis, 5_000, rpm -> 10, 60_000, key -> charged);

    RateLimiter.Decision first = onContext(() -> leasing.acquire("key:budget", 600, "ganglion:tokens:lease:today"));
    charged.addAndGet(40);
    RateLimiter.Decision second = onContext(() -> leasing.acquire("key:budget", 600, "ganglion:tokens:lease:today"));

    assertThat(first.tokensUsed()).isEqualTo(100);
    assertThat(second.tokensUsed()).isEqualTo(140);
    assertThat(calls("evalsha")).isEqualTo(1);
  }

  private static <T> T onContext(Supplier<Future<T>> work) throws Exception {
    return fixture.run(work);
  }

  private static void send(Request request) throws Exception {
    redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Calls of {@code command} since the last CONFIG RESETSTAT, from INFO commandstats. */
  private static long calls(String command) throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("commandstats")).toCompletionStage().toCompletableFuture()
      .get(10, TimeUnit.SECONDS).toString();
    Matcher m = Pattern.compile("(?m)^cmdstat_" + command + ":calls=(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
