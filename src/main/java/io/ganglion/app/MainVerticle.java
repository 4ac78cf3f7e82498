package io.ganglion.app;

import io.ganglion.bridge.BridgeConfig;
import io.ganglion.bridge.BridgeVerticle;
import io.ganglion.config.GanglionConfig;
import io.ganglion.http.HttpVerticle;
import io.ganglion.inference.InferenceVerticle;
import io.ganglion.orchestration.OrchestratorVerticle;
import io.ganglion.reflex.ReflexVerticle;
import io.ganglion.retrieval.RetrievalVerticle;
import io.ganglion.store.RetentionVerticle;
import io.ganglion.webhooks.WebhookVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * Deploys the verticles in dependency order — inference, retrieval, reflex, orchestration, retention,
 * webhooks, http — so that when
 * HTTP starts listening, everything it forwards to is already consuming; then the TCP event-bus bridge when
 * {@code bridge.enabled}. {@link #undeployInReverse()} stops them newest
 * first, so HTTP drains its in-flight requests while the verticles behind it still answer (Vert.x itself would undeploy
 * all children of this verticle at once).
 */
public final class MainVerticle extends VerticleBase {

  // touched by the deploying context and, at shutdown, by the launcher thread
  private final Deque<String> deployed = new ConcurrentLinkedDeque<>();

  @Override
  public Future<?> start() {
    GanglionConfig config = GanglionConfig.from(config());
    DeploymentOptions one = new DeploymentOptions().setConfig(config.tree());
    DeploymentOptions http = new DeploymentOptions().setConfig(config.tree()).setInstances(config.http().instances());
    return deploy(InferenceVerticle::new, one)
      .compose(id -> deploy(RetrievalVerticle::new, one))
      .compose(id -> deploy(ReflexVerticle::new, one))
      .compose(id -> deploy(OrchestratorVerticle::new, one))
      .compose(id -> deploy(RetentionVerticle::new, one))
      .compose(id -> deploy(WebhookVerticle::new, one))
      .compose(id -> deploy(HttpVerticle::new, http))
      .compose(id -> BridgeConfig.from(config.tree().getJsonObject("bridge")).enabled()
        ? deploy(BridgeVerticle::new, one) : Future.succeededFuture(id));
  }

  /** Undeploys the verticles newest first; the launcher calls it before undeploying this verticle. */
  Future<Void> undeployInReverse() {
    Future<Void> chain = Future.succeededFuture();
    String id;
    while ((id = deployed.pollFirst()) != null) {
      String next = id;
      chain = chain.eventually(() -> vertx.undeploy(next));
    }
    return chain;
  }

  private Future<String> deploy(Supplier<? extends Deployable> verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).onSuccess(deployed::push);
  }
}
