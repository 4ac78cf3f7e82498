package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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

  static KbRepository kbs;
  static JobRepository jobs;

  @BeforeAll
  static void start(Vertx vertx) {
    kbs = new KbRepository(StorePostgres.pool(vertx));
    jobs = new JobRepository(StorePostgres.pool(vertx));
  }

  private static List<JsonObject> docs(int n) {
    return java.util.stream.IntStream.range(0, n)
      .mapToObj(i -> new JsonObject().put("id", "d" + i).put("text", "document " + i)).toList();
  }

  @Test
  @DisplayName("a job records its progress and errors, and another tenant's id finds nothing")
  void progressAndTenancy() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "jobs", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(5), "node-a/1", 60_000));
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("queued");
    assertThat(await(jobs.pendingDocuments(kb.id()))).isEqualTo(5);
    JsonArray errors = new JsonArray().add(new JsonObject().put("id", "d4").put("status", "failed"));
    assertThat(await(jobs.progress(id, "node-a/1", 3, 1, 9, errors))).isTrue();
    JsonObject running = await(jobs.get(tenant, id.toString())).orElseThrow();
    assertThat(running.getString("status")).isEqualTo("running");
    assertThat(await(jobs.pendingDocuments(kb.id()))).isEqualTo(1);
    assertThat(await(jobs.finish(id, "node-a/1", 4, 1, 9, errors))).isTrue();
    JsonObject job = await(jobs.get(tenant, id.toString())).orElseThrow();
    assertThat(job.getString("kb")).isEqualTo("jobs");
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getInteger("done")).isEqualTo(4);
    assertThat(job.getInteger("failed")).isEqualTo(1);
    assertThat(job.getInteger("chunks")).isEqualTo(9);
    assertThat(job.getJsonArray("errors")).isEqualTo(errors);
    assertThat(await(jobs.pendingDocuments(kb.id()))).isZero();

    assertThat(await(jobs.get(StorePostgres.tenant(), id.toString()))).isEmpty();
    assertThat(await(jobs.get(tenant, "not-a-uuid"))).isEmpty();
    assertThat(await(jobs.get(tenant, UUID.randomUUID().toString()))).isEmpty();
  }

  @Test
  @DisplayName("a job keeps its documents until it finishes, read from its first unsettled position; every failure: failed")
  void documentsUntilFinished() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "restart", 4));
    UUID running = await(jobs.create(tenant, kb.id(), docs(4), "node-a/1", 60_000));
    await(jobs.progress(running, "node-a/1", 1, 1, 3, new JsonArray()));
    assertThat(await(jobs.documents(running, 2, 10)).stream().map(d -> d.getString("id")).toList())
      .containsExactly("d2", "d3");
    assertThat(await(jobs.documents(running, 2, 1))).hasSize(1);

    UUID failing = await(jobs.create(tenant, kb.id(), docs(2), "node-a/1", 60_000));
    await(jobs.finish(failing, "node-a/1", 0, 2, 0, new JsonArray()));
    assertThat(await(jobs.documents(failing, 0, 10))).isEmpty();
    assertThat(await(jobs.get(tenant, failing.toString())).orElseThrow().getString("status")).isEqualTo("failed");
  }

  @Test
  @DisplayName("a held lease cannot be claimed; once it runs out another node takes the job from where it stood, and the old holder loses it")
  void leases() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "leased", 4));
    UUID held = await(jobs.create(tenant, kb.id(), docs(2), "node-a/1", 60_000));
    assertThat(claimable()).doesNotContain(held);

    UUID expiring = await(jobs.create(tenant, kb.id(), docs(3), "node-a/1", 1));
    await(jobs.progress(expiring, "node-a/1", 1, 0, 2, new JsonArray()));
    JobRepository.Held taken = awaitClaimed(expiring);
    assertThat(taken.next()).isEqualTo(1);
    assertThat(taken.chunks()).isEqualTo(2);
    assertThat(await(jobs.renew(List.of(held, expiring), "node-a/1", 60_000))).containsExactly(held);
    assertThat(await(jobs.progress(expiring, "node-a/1", 2, 0, 3, new JsonArray()))).isFalse();
    assertThat(await(jobs.progress(expiring, "node-b/1", 2, 0, 3, new JsonArray()))).isTrue();
  }

  @Test
  @DisplayName("nodes claiming at the same time never get the same job (FOR UPDATE SKIP LOCKED)")
  void concurrentClaims() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "racing", 4));
    for (int i = 0; i < 3; i++) {
      await(jobs.create(tenant, kb.id(), docs(1), null, 1));
    }
    List<Future<Optional<JobRepository.Held>>> claims = List.of(jobs.claim("n1/1", 60_000), jobs.claim("n2/1", 60_000),
      jobs.claim("n3/1", 60_000), jobs.claim("n4/1", 60_000));
    List<UUID> got = claims.stream().map(StorePostgres::await).flatMap(Optional::stream).map(JobRepository.Held::id).toList();
    assertThat(got).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a restarted node frees its predecessor's jobs at once; nothing is failed because a node started")
  void predecessors() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "restarted", 4));
    UUID id = await(jobs.create(tenant, kb.id(), docs(2), "node-r/old", 600_000));
    assertThat(await(jobs.expireLeases("node-r", "node-r/new"))).isGreaterThanOrEqualTo(1);
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("queued");
    awaitClaimed(id);
  }

  /** Claims until {@code id} is among the claimed jobs (its lease may need a few milliseconds to run out). */
  private static JobRepository.Held awaitClaimed(UUID id) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<JobRepository.Held> found = claimAll().stream().filter(h -> h.id().equals(id)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new AssertionError("job " + id + " was never claimable");
  }

  private static List<UUID> claimable() {
    return claimAll().stream().map(JobRepository.Held::id).toList();
  }

  /** Every job node-b can claim now (the shared database holds other tests' jobs too). */
  private static List<JobRepository.Held> claimAll() {
    List<JobRepository.Held> held = new java.util.ArrayList<>();
    Optional<JobRepository.Held> next;
    while ((next = await(jobs.claim("node-b/1", 600_000))).isPresent()) {
      held.add(next.get());
    }
    return held;
  }
}
