package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.ganglion.store.StorePostgres.failsWith;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("While PostgreSQL is down, every repository call fails with 5031 (unavailable)")
class PostgresDownIT {

  static Pool down;

  @BeforeAll
  static void start(Vertx vertx) {
    down = StorePostgres.unreachable(vertx);
  }

  @TestFactory
  @DisplayName("each repository method")
  Stream<DynamicTest> everyRepositoryMethod() {
    UUID id = UUID.randomUUID();
    TenantRepository tenants = new TenantRepository(down);
    KbRepository kbs = new KbRepository(down);
    DocumentRepository documents = new DocumentRepository(down);
    JobRepository jobs = new JobRepository(down);
    ChangeLogRepository changeLog = new ChangeLogRepository(down);
    ApiKeyRepository keys = new ApiKeyRepository(down);
    ConversationRepository conversations = new ConversationRepository(down);
    TraceRepository traces = new TraceRepository(down);
    AuditRepository audit = new AuditRepository(down);
    Map<String, Supplier<Future<?>>> calls = new LinkedHashMap<>();
    calls.put("TenantRepository.create", () -> tenants.create("t"));
    calls.put("KbRepository.create", () -> kbs.create("t", "kb", 4));
    calls.put("KbRepository.all", kbs::all);
    calls.put("KbRepository.recordShards", () -> kbs.recordShards(4));
    calls.put("KbRepository.list", () -> kbs.list("t"));
    calls.put("KbRepository.get", () -> kbs.get("t", "kb"));
    calls.put("KbRepository.delete", () -> kbs.delete("t", "kb"));
    calls.put("DocumentRepository.replace", () -> documents.replace(1, 0, DocumentRepositoryIT.document("d"), List.of()));
    calls.put("DocumentRepository.delete", () -> documents.delete(1, 0, "d"));
    calls.put("DocumentRepository.get", () -> documents.get(1, "d"));
    calls.put("DocumentRepository.counts", () -> documents.counts(1));
    calls.put("DocumentRepository.shardChunks", () -> documents.shardChunks(1, 0));
    calls.put("DocumentRepository.documentChunks", () -> documents.documentChunks(1, List.of("d")));
    calls.put("DocumentRepository.assignShards", () -> documents.assignShards(1, doc -> 0));
    calls.put("ChangeLogRepository.since", () -> changeLog.since(1, 0, 0));
    calls.put("ChangeLogRepository.prune", () -> changeLog.prune(1, 10));
    calls.put("JobRepository.create", () -> jobs.create("t", 1, List.of(new JsonObject().put("id", "d")), "n/1", 1000));
    calls.put("JobRepository.claim", () -> jobs.claim("n/1", 1000));
    calls.put("JobRepository.renew", () -> jobs.renew(List.of(id), "n/1", 1000));
    calls.put("JobRepository.expireLeases", () -> jobs.expireLeases("n", "n/1"));
    calls.put("JobRepository.documents", () -> jobs.documents(id, 0, 10));
    calls.put("JobRepository.progress", () -> jobs.progress(id, "n/1", 0, 0, 0, new JsonArray()));
    calls.put("JobRepository.finish", () -> jobs.finish(id, "n/1", 0, 0, 0, new JsonArray()));
    calls.put("JobRepository.pendingDocuments", () -> jobs.pendingDocuments(1));
    calls.put("JobRepository.get", () -> jobs.get("t", id.toString()));
    calls.put("ApiKeyRepository.insert", () -> keys.insert(ApiKeyRepositoryIT.grant("t"), ApiKeyRepository.newKey()));
    calls.put("ApiKeyRepository.verify", () -> keys.verify(ApiKeyRepository.newKey()));
    calls.put("ApiKeyRepository.byName", () -> keys.byName("api"));
    calls.put("ApiKeyRepository.list", () -> keys.list(null, null, 100));
    calls.put("ApiKeyRepository.revoke", () -> keys.revoke(id.toString()));
    calls.put("ConversationRepository.create", () -> conversations.create("t", "kb"));
    calls.put("ConversationRepository.get", () -> conversations.get("t", id));
    calls.put("ConversationRepository.recentMessages", () -> conversations.recentMessages(id, 4));
    calls.put("ConversationRepository.messages", () -> conversations.messages(id));
    calls.put("ConversationRepository.appendTurn", () -> conversations.appendTurn(id, "q", "a", null));
    calls.put("TraceRepository.insert", () -> traces.insert(TraceRepositoryIT.trace(id, "t")));
    calls.put("TraceRepository.get", () -> traces.get("t", id));
    calls.put("TraceRepository.feedback", () -> traces.feedback("t", id, 1, null));
    calls.put("AuditRepository.append", () -> audit.append(new AuditRepository.Event("r", "p", "t", "a", "x", "s", new JsonObject())));
    calls.put("AuditRepository.recent", () -> audit.recent(null, 10));
    return calls.entrySet().stream().map(call -> DynamicTest.dynamicTest(call.getKey(), () ->
      assertThat(failsWith(call.getValue().get(), ErrorCode.UNAVAILABLE)).startsWith("PostgreSQL is unavailable")));
  }
}
