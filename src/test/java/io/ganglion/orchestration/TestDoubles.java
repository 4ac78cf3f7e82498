package io.ganglion.orchestration;

import io.ganglion.TestServer;
import io.ganglion.http.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * An orchestrator and HTTP edge on a Vert.x of their own, against the shared test server's PostgreSQL and Redis, with
 * test doubles for retrieval ({@link FakeRetrieval}: KB {@value FakeRetrieval#BROKEN} is down) and embeddings
 * ({@link HashingEmbedder}: slow on request). For the failure paths the real verticles cannot be made to take on
 * demand: retrieval down, and a generation slow enough to disconnect in the middle of.
 */
public final class TestDoubles implements AutoCloseable {

  public final FakeRetrieval retrieval;
  public final HashingEmbedder embedder;
  private final Vertx vertx;
  private final int port;

  private TestDoubles(Vertx vertx, FakeRetrieval retrieval, HashingEmbedder embedder, int port) {
    this.vertx = vertx;
    this.retrieval = retrieval;
    this.embedder = embedder;
    this.port = port;
  }

  public static TestDoubles start(TestServer server) {
    Vertx vertx = Vertx.vertx();
    FakeRetrieval retrieval = new FakeRetrieval(Map.of(TestCorpus.KB, TestCorpus.chunks(), "empty", List.of()));
    retrieval.register(vertx);
    HashingEmbedder embedder = new HashingEmbedder();
    embedder.register(vertx);
    JsonObject config = server.ganglion().config().tree().copy();
    config.getJsonObject("http").put("port", 0).put("instances", 1);
    vertx.deployVerticle(OrchestratorVerticle::new, new DeploymentOptions().setConfig(config)).await();
    vertx.deployVerticle(HttpVerticle::new, new DeploymentOptions().setConfig(config)).await();
    int port = (Integer) vertx.sharedData().getLocalMap(HttpVerticle.PORT_MAP).get("port");
    return new TestDoubles(vertx, retrieval, embedder, port);
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
