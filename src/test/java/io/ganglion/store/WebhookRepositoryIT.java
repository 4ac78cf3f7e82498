package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.ganglion.store.StorePostgres.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
@DisplayName("WebhookRepository on a real PostgreSQL: the outbox, claims by one node at a time, and settling")
class WebhookRepositoryIT {

  static Pool pool;
  /** A second, independent pool: another node on the same PostgreSQL. */
  static Pool otherNode;
  static WebhookRepository webhooks;
  static WebhookRepository webhooksOnOtherNode;

  @BeforeAll
  static void start(Vertx vertx) {
    pool = StorePostgres.pool(vertx);
    otherNode = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
      .connectingTo(PgConnectOptions.fromUri(StorePostgres.url())).using(vertx).build();
    webhooks = new WebhookRepository(pool);
    webhooksOnOtherNode = new WebhookRepository(otherNode);
  }

  @AfterAll
  static void stop() {
    await(otherNode.close());
  }

  private static String tenantWithHook(String... events) {
    String tenant = StorePostgres.tenant();
    await(new TenantRepository(pool).create(tenant));
    await(webhooks.create(tenant, "https://hooks.example.com/" + tenant, List.of(events), "secret-0123456789abcdef"));
    return tenant;
  }

  private static void enqueue(WebhookEvent event, String tenant, int n) {
    for (int i = 0; i < n; i++) {
      JsonObject data = new JsonObject().put("kb", "k").put("id", "doc-" + i);
      await(pool.withTransaction(conn -> event.enqueue(conn, tenant, data)));
    }
  }

  /** Claims until nothing is due, as one node's loop would. */
  private static Future<List<UUID>> drain(WebhookRepository repository, String owner, List<UUID> taken) {
    return repository.claim(owner, 3, 60_000).compose(due -> {
      if (due.isEmpty()) {
        return Future.succeededFuture(taken);
      }
      due.forEach(d -> taken.add(d.id()));
      return drain(repository, owner, taken);
    });
  }

  @Test
  @DisplayName("an event is queued once per subscribed webhook of its tenant, and for no other tenant or event")
  void outboxFansOut() {
    String tenant = tenantWithHook("document.deleted", "job.completed");
    await(webhooks.create(tenant, "https://hooks.example.com/second", List.of("document.deleted"), "secret-0123456789abcdef"));
    await(webhooks.create(tenant, "https://hooks.example.com/jobs", List.of("job.failed"), "secret-0123456789abcdef"));
    String other = tenantWithHook("document.deleted");
    int fanned = await(pool.<Integer>withTransaction(conn -> WebhookEvent.DOCUMENT_DELETED.enqueue(conn, tenant,
      new JsonObject())));
    assertThat(fanned).isEqualTo(2);
    int unsubscribed = await(pool.<Integer>withTransaction(conn -> WebhookEvent.AGENT_RUN_COMPLETED.enqueue(conn, tenant,
      new JsonObject())));
    assertThat(unsubscribed).isZero();
    // a change that rolls back takes its event with it
    Future<Integer> rolledBack = pool.withTransaction(conn -> WebhookEvent.JOB_FAILED.enqueue(conn, tenant, new JsonObject())
      .compose(n -> Future.failedFuture(new IllegalStateException("the change failed"))));
    assertThat(rolledBack.toCompletionStage().toCompletableFuture().handle((v, e) -> e).join()).isNotNull();
    List<WebhookRepository.Webhook> hooks = await(webhooks.list(tenant, null, 10));
    int queued = 0;
    for (WebhookRepository.Webhook hook : hooks) {
      queued += await(webhooks.deliveries(hook.id(), null, 10)).size();
    }
    assertThat(queued).isEqualTo(2);
    assertThat(await(webhooks.deliveries(await(webhooks.list(other, null, 10)).get(0).id(), null, 10))).isEmpty();
  }

  @Test
  @DisplayName("deleting a document queues document.deleted, but not in a hidden knowledge base (a model change's shadow)")
  void documentDeletedOnlyForTenantKbs() {
    String tenant = tenantWithHook("document.deleted");
    DocumentRepository documents = new DocumentRepository(pool);
    KbRepository kbs = new KbRepository(pool);
    for (String name : List.of("visible", KbRepository.HIDDEN + "shadow")) {
      long kb = await(kbs.create(tenant, name, 1)).id();
      await(documents.replace(kb, 0, DocumentRepositoryIT.document("a"), List.of(DocumentRepositoryIT.chunk("a", 0, 1f))));
      assertThat(await(documents.delete(kb, 0, "a"))).isPresent();
    }
    List<JsonObject> queued = await(webhooks.deliveries(
      await(webhooks.list(tenant, null, 10)).get(0).id(), null, 10));
    assertThat(queued).hasSize(1);
  }

  @Test
  @DisplayName("deleting a knowledge base queues kb.deleted in its transaction, but not for a hidden one, nor for a KB that was not there")
  void kbDeletedOnlyForTenantKbs() {
    String tenant = tenantWithHook("kb.deleted");
    KbRepository kbs = new KbRepository(pool);
    for (String name : List.of("gone", KbRepository.HIDDEN + "shadow")) {
      await(kbs.create(tenant, name, 1));
      assertThat(await(kbs.delete(tenant, name))).isTrue();
    }
    assertThat(await(kbs.delete(tenant, "never-was"))).isFalse();
    List<JsonObject> queued = await(webhooks.deliveries(
      await(webhooks.list(tenant, null, 10)).get(0).id(), null, 10));
    assertThat(queued).hasSize(1);
    assertThat(queued.get(0).getString("event")).isEqualTo("kb.deleted");
  }

  @Test
  @DisplayName("two nodes claiming at once never take the same delivery, and between them take every one")
  void concurrentClaimsAreDisjoint() {
    String tenant = tenantWithHook("document.deleted");
    enqueue(WebhookEvent.DOCUMENT_DELETED, tenant, 40);
    String a = "node-a/" + UUID.randomUUID();
    String b = "node-b/" + UUID.randomUUID();
    List<UUID> byA = Collections.synchronizedList(new ArrayList<>());
    List<UUID> byB = Collections.synchronizedList(new ArrayList<>());
    await(Future.all(drain(webhooks, a, byA), drain(webhooksOnOtherNode, b, byB), drain(webhooks, a, byA)));
    Set<UUID> all = new HashSet<>(byA);
    all.addAll(byB);
    assertThat(byA.size() + byB.size()).as("no delivery taken twice").isEqualTo(all.size());
    UUID hook = await(webhooks.list(tenant, null, 1)).get(0).id();
    Set<UUID> queued = new HashSet<>();
    await(webhooks.deliveries(hook, null, 100)).forEach(d -> queued.add(UUID.fromString(d.getString("id"))));
    assertThat(all).containsExactlyInAnyOrderElementsOf(queued).hasSize(40);
  }

  @Test
  @DisplayName("a claim its holder never settles is due again when the hold runs out; the old holder can no longer settle it")
  void holdsRunOut() {
    String tenant = tenantWithHook("job.completed");
    enqueue(WebhookEvent.JOB_COMPLETED, tenant, 1);
    List<WebhookRepository.Due> first = await(webhooks.claim("node-a/1", 10, 2_000));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).attempt()).isEqualTo(1);
    assertThat(first.get(0).secrets()).containsExactly("secret-0123456789abcdef");
    assertThat(await(webhooksOnOtherNode.claim("node-b/1", 10, 60_000))).isEmpty();
    List<WebhookRepository.Due> second = await().atMost(Duration.ofSeconds(10))
      .until(() -> await(webhooksOnOtherNode.claim("node-b/1", 10, 60_000)), due -> !due.isEmpty());
    assertThat(second.get(0).id()).isEqualTo(first.get(0).id());
    assertThat(second.get(0).attempt()).isEqualTo(2);

    WebhookRepository.Attempt late = new WebhookRepository.Attempt(1, OffsetDateTime.now(), 5000, null, "timed out");
    await(webhooks.record(first.get(0), "node-a/1", late, false, 100));
    WebhookRepository.Attempt ok = new WebhookRepository.Attempt(2, OffsetDateTime.now(), 12, 204, null);
    await(webhooksOnOtherNode.record(second.get(0), "node-b/1", ok, true, -1));
    JsonObject delivery = await(webhooks.deliveries(second.get(0).webhookId(), null, 1)).get(0);
    assertThat(delivery.getString("status")).isEqualTo("delivered");
    assertThat(delivery.getInteger("lastStatus")).isEqualTo(204);
    assertThat(delivery.getValue("nextAttemptAt")).isNull();
    assertThat(await(webhooks.claim("node-a/1", 10, 60_000))).isEmpty();
  }

  @Test
  @DisplayName("creations racing at a tenant's limit never pass it")
  void limitHoldsUnderRacingCreates() {
    String tenant = StorePostgres.tenant();
    await(new TenantRepository(pool).create(tenant));
    List<Future<java.util.Optional<WebhookRepository.Webhook>>> racing = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      WebhookRepository on = i % 2 == 0 ? webhooks : webhooksOnOtherNode;
      racing.add(on.create(tenant, "https://hooks.example.com/" + i, List.of("job.completed"), "secret-0123456789abcdef", 3));
    }
    await(Future.all(racing));
    assertThat(racing.stream().filter(f -> f.result().isPresent()).count()).isEqualTo(3);
    assertThat(await(webhooks.list(tenant, null, 10))).hasSize(3);
  }

  @Test
  @DisplayName("a rotation signs with both secrets until its grace period ends; a rotation without grace drops the old secret")
  void rotation() {
    String tenant = tenantWithHook("document.deleted");
    UUID hook = await(webhooks.list(tenant, null, 1)).get(0).id();
    WebhookRepository.Webhook rotated = await(webhooks.rotate(tenant, hook, "second-secret-0123456", 3600)).orElseThrow();
    assertThat(rotated.previousSecretExpiresAt()).isAfter(OffsetDateTime.now().plusMinutes(59));
    enqueue(WebhookEvent.DOCUMENT_DELETED, tenant, 1);
    assertThat(await(webhooks.claim("node-a/r", 10, 60_000)).get(0).secrets())
      .containsExactly("second-secret-0123456", "secret-0123456789abcdef");
    await(webhooks.rotate(tenant, hook, "third-secret-01234567", 0));
    enqueue(WebhookEvent.DOCUMENT_DELETED, tenant, 1);
    assertThat(await(webhooks.claim("node-a/r", 10, 60_000)).get(0).secrets()).containsExactly("third-secret-01234567");
    assertThat(await(webhooks.rotate(StorePostgres.tenant(), hook, "fourth-secret-0123456", 0))).isEmpty();
  }
}
