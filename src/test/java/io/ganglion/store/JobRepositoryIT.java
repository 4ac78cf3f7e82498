package io.ganglion.store;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static io.ganglion.store.StorePostgres.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("JobRepository on a real PostgreSQL")
class JobRepositoryIT {

  static KbRepository kbs;
  static JobRepository jobs;

  @BeforeAll
  static void start(Vertx vertx) {
    kbs = new KbRepository(StorePostgres.pool(vertx));
    jobs = new JobRepository(StorePostgres.pool(vertx));
  }

  @Test
  @DisplayName("a job records its progress and errors, and another tenant's id finds nothing")
  void progressAndTenancy() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "jobs"));
    UUID id = await(jobs.create(tenant, kb.id(), docs(5)));
    assertThat(await(jobs.get(tenant, id.toString())).orElseThrow().getString("status")).isEqualTo("queued");
    JsonArray errors = new JsonArray().add(new JsonObject().put("id", "d4").put("status", "failed"));
    await(jobs.update(id, "done", 4, 1, 9, errors));
    JsonObject job = await(jobs.get(tenant, id.toString())).orElseThrow();
    assertThat(job.getString("kb")).isEqualTo("jobs");
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getInteger("done")).isEqualTo(4);
    assertThat(job.getInteger("failed")).isEqualTo(1);
    assertThat(job.getInteger("chunks")).isEqualTo(9);
    assertThat(job.getJsonArray("errors")).isEqualTo(errors);

    assertThat(await(jobs.get(StorePostgres.tenant(), id.toString()))).isEmpty();
    assertThat(await(jobs.get(tenant, "not-a-uuid"))).isEmpty();
    assertThat(await(jobs.get(tenant, UUID.randomUUID().toString()))).isEmpty();
  }

  @Test
  @DisplayName("a job keeps its documents until it finishes: an unfinished one lists them from its first unsettled position")
  void unfinishedJobsKeepTheirDocuments() {
    String tenant = StorePostgres.tenant();
    KbRepository.Kb kb = await(kbs.create(tenant, "restart"));
    UUID running = await(jobs.create(tenant, kb.id(), docs(4)));
    await(jobs.update(running, "running", 1, 1, 3, new JsonArray()));
    UUID finished = await(jobs.create(tenant, kb.id(), docs(2)));
    await(jobs.finish(finished, "done", 2, 0, 6, new JsonArray()));

    JobRepository.Unfinished left = await(jobs.unfinished()).stream().filter(j -> j.id().equals(running)).findFirst()
      .orElseThrow();
    assertThat(left.kbId()).isEqualTo(kb.id());
    assertThat(left.done() + left.failed()).isEqualTo(2);
    assertThat(await(jobs.documents(running, 2)).stream().map(d -> d.getString("id")).toList()).containsExactly("d2", "d3");
    assertThat(await(jobs.unfinished()).stream().map(JobRepository.Unfinished::id)).doesNotContain(finished);
    assertThat(await(jobs.documents(finished, 0))).isEmpty();
    assertThat(await(jobs.get(tenant, finished.toString())).orElseThrow().getString("status")).isEqualTo("done");
  }

  private static java.util.List<JsonObject> docs(int n) {
    return java.util.stream.IntStream.range(0, n)
      .mapToObj(i -> new JsonObject().put("id", "d" + i).put("text", "document " + i)).toList();
  }
}
