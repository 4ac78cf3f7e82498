package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.orchestration.agents.impl.RunState.Outcome;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A router agent: hands the input to the one of its {@code agents} whose description fits it best — chosen by the
 * router's own model when the router names a {@code provider}, otherwise by the in-process embedding model (cosine
 * of the input and each description) — and returns that agent's answer. The choice is a {@code handoff} step.
 */
final class Router {

  private final RunServices services;
  private final SingleCall single;

  Router(RunServices services) {
    this.services = services;
    this.single = new SingleCall(services);
  }

  /**
   * @param agents the sub-agents, resolved for the run's tenant
   * @param runAgent runs a sub-agent on a child of the run
   */
  Future<Outcome> run(RunState run, List<AgentCatalog.Found> agents, Function<RunState, Future<Outcome>> runAgent) {
    long started = System.nanoTime();
    Future<Choice> choice = run.agent.provider() != null ? byModel(run, agents) : byEmbedding(run, agents);
    return choice.compose(chosen -> single.record(run, new JsonObject().put("type", "handoff")
        .put("agent", chosen.agent().spec().name()).put("by", chosen.by()).put("score", chosen.score())
        .put("ms", Math.round((System.nanoTime() - started) / 1e5) / 10.0))
      .compose(v -> runAgent.apply(run.child(chosen.agent().spec(), run.input))));
  }

  private record Choice(AgentCatalog.Found agent, String by, Double score) {
  }

  private Future<Choice> byModel(RunState run, List<AgentCatalog.Found> agents) {
    StringBuilder list = new StringBuilder();
    agents.forEach(a -> list.append("- ").append(a.spec().name()).append(": ").append(a.spec().description()).append('\n'));
    return single.ask(run, "route", run.agent.instructions() + "\n\nYou route requests to agents. Reply with only the "
        + "name of the agent best suited to the request.", "Agents:\n" + list + "\nRequest: " + run.input, false)
      .map(answer -> {
        String lower = answer.toLowerCase(Locale.ROOT);
        return agents.stream().filter(a -> lower.contains(a.spec().name().toLowerCase(Locale.ROOT))).findFirst()
          .map(a -> new Choice(a, "model", null))
          .orElse(new Choice(agents.getFirst(), "default", null));
      });
  }

  private Future<Choice> byEmbedding(RunState run, List<AgentCatalog.Found> agents) {
    JsonArray descriptions = new JsonArray();
    agents.forEach(a -> descriptions.add(a.spec().name() + ": " + a.spec().description()));
    Future<JsonArray> query = embed(run, new JsonArray().add(run.input), "query");
    Future<JsonArray> passages = embed(run, descriptions, "passage");
    return Future.all(query, passages).map(v -> {
      JsonArray q = query.result().getJsonArray(0);
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < agents.size(); i++) {
        double score = dot(q, passages.result().getJsonArray(i));
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      return new Choice(agents.get(best), "embedding", Math.round(bestScore * 1000) / 1000.0);
    });
  }

  private Future<JsonArray> embed(RunState run, JsonArray texts, String kind) {
    return services.vertx().eventBus().<JsonObject>request(Addresses.INFERENCE_EMBED,
        new JsonObject().put("texts", texts).put("kind", kind), run.hop())
      .map(Message::body).map(reply -> reply.getJsonArray("vectors"));
  }

  private static double dot(JsonArray a, JsonArray b) {
    double sum = 0;
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      sum += a.getDouble(i) * b.getDouble(i);
    }
    return sum;
  }
}
