package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.ganglion.store.StorePostgres.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("JobRepository on a real PostgreSQL: durable jobs under node leases")
class JobRepositoryIT {

  static Vertx vertx;
  static KbRepository kbs;
  static JobRepository jobs;

  @BeforeAll
  static void start(Vertx shared) {
    vertx = shared;
    kbs = new KbRepository(StorePostgres.pool(vertx));
    jobs = new JobRepository(StorePostgres.pool(vertx));
  }

  private static List<JsonObject> docs(int n) {
    return java.util.stream.IntStream.range(0, n)
      .mapToObj(i -> new JsonObject().put("id", "d" + i).put("text", "text " + i)).toList();
  }

  @Test
  @DisplayName("a job is stored with its documents at once; slices settle them and the counts follow; another tenant finds nothing")
  void progressAndTenancy() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "jobs", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(5), "node-a/1", 60_000));
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("queued");
    assertThat(await(jobs.pendingDocuments(kb.id()))).isEqualTo(5);
    assertThat(await(jobs.pending(id, 3))).extracting(JobRepository.PendingDocument::seq).containsExactly(0, 1, 2);

    JsonObject error = new JsonObject().put("id", "d1").put("status", "failed");
    assertThat(await(jobs.settle(id, "node-a/1", List.of(new JobRepository.Settled(0, true, 3, null),
      new JobRepository.Settled(1, false, 0, error))))).isTrue();
    JsonObject running = await(jobs.get(tenant, id.toString())).orElseThrow();
    assertThat(running.getString("status")).isEqualTo("running");
    assertThat(running.getInteger("done")).isEqualTo(1);
    assertThat(running.getInteger("failed")).isEqualTo(1);
    assertThat(running.getInteger("chunks")).isEqualTo(3);
    assertThat(running.getJsonArray("errors").getList()).containsExactly(error.getMap());
    assertThat(await(jobs.pending(id, 10))).extracting(JobRepository.PendingDocument::seq).containsExactly(2, 3, 4);
    assertThat(await(jobs.pending(id, 10)).getFirst().input().getString("id")).isEqualTo("d2");

    await(jobs.settle(id, "node-a/1", List.of(new JobRepository.Settled(2, true, 1, null),
      new JobRepository.Settled(3, true, 1, null), new JobRepository.Settled(4, true, 1, null))));
    await(jobs.finish(id, "node-a/1"));
    JsonObject job = await(jobs.get(tenant, id.toString())).orElseThrow();
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getInteger("done")).isEqualTo(4);
    assertThat(await(jobs.pendingDocuments(kb.id()))).isZero();

    assertThat(await(jobs.get(StorePostgres.tenant(), id.toString()))).isEmpty();
    assertThat(await(jobs.get(tenant, "not-a-uuid"))).isEmpty();
  }

  @Test
  @DisplayName("a job whose every document failed ends failed")
  void allFailed() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "bad", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(1), "node-a/1", 60_000));
    await(jobs.settle(id, "node-a/1", List.of(new JobRepository.Settled(0, false, 0, new JsonObject()))));
    await(jobs.finish(id, "node-a/1"));
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("failed");
  }

  @Test
  @DisplayName("a held lease cannot be claimed; once it runs out another node takes the job and the old holder loses it")
  void leases() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "leased", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(2), "node-a/1", 60_000));
    assertThat(claimed("node-b/1")).doesNotContain(id);

    UUID expiring = await(jobs.create(tenant, kb.id(), docs(2), "node-a/1", 1));
    awaitClaimable(expiring);
    assertThat(await(jobs.renew(List.of(id, expiring), "node-a/1", 60_000))).containsExactly(id);
    assertThat(await(jobs.settle(expiring, "node-a/1", List.of(new JobRepository.Settled(0, true, 1, null))))).isFalse();
    assertThat(await(jobs.pending(expiring, 10))).hasSize(2);
    assertThat(await(jobs.settle(expiring, "node-b/1", List.of(new JobRepository.Settled(0, true, 1, null))))).isTrue();
  }

  @Test
  @DisplayName("nodes claiming at the same time never get the same job (FOR UPDATE SKIP LOCKED)")
  void concurrentClaims() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "racing", 4));
    List<UUID> created = List.of(await(jobs.create(tenant, kb.id(), docs(1), null, 1)),
      await(jobs.create(tenant, kb.id(), docs(1), null, 1)), await(jobs.create(tenant, kb.id(), docs(1), null, 1)));
    List<Future<Optional<JobRepository.Held>>> claims = List.of(jobs.claim("n1/1", 60_000), jobs.claim("n2/1", 60_000),
      jobs.claim("n3/1", 60_000), jobs.claim("n4/1", 60_000));
    List<UUID> got = claims.stream().map(StorePostgres::await).flatMap(Optional::stream).map(JobRepository.Held::id).toList();
    assertThat(got).doesNotHaveDuplicates();
    assertThat(await(jobs.renew(created, "n1/1", 60_000)).size() + await(jobs.renew(created, "n2/1", 60_000)).size()
      + await(jobs.renew(created, "n3/1", 60_000)).size() + await(jobs.renew(created, "n4/1", 60_000)).size())
      .isEqualTo(got.stream().filter(created::contains).count());
  }

  @Test
  @DisplayName("a restarted node frees its predecessor's jobs at once; nothing is failed because a node started")
  void predecessors() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "restarted", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(2), "node-r/old", 600_000));
    assertThat(await(jobs.expireLeases("node-r", "node-r/new"))).isGreaterThanOrEqualTo(1);
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("queued");
    awaitClaimable(id);
  }

  /** Claims until {@code id} is among the claimed jobs (its lease may need a few milliseconds to run out). */
  private static void awaitClaimable(UUID id) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (claimed("node-b/1").contains(id)) {
        return;
      }
    }
    throw new AssertionError("job " + id + " was never claimable");
  }

  /** Every job node-b can claim now (the shared database holds other tests' jobs too). */
  private static List<UUID> claimed(String owner) {
    List<UUID> ids = new java.util.ArrayList<>();
    Optional<JobRepository.Held> held;
    while ((held = await(jobs.claim(owner, 600_000))).isPresent()) {
      ids.add(held.get().id());
    }
    return ids;
  }
}
