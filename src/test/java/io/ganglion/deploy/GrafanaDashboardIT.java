package io.ganglion.deploy;

import io.ganglion.TestServer;
import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.ganglion.generation.impl.LlmMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The Grafana dashboard queries metrics the server exports")
class GrafanaDashboardIT {

  private static final Pattern METRIC = Pattern.compile("\\b((?:vertx|ganglion|gen_ai)_[a-z0-9_]+)");

  @Test
  @DisplayName("every metric of docker/grafana/dashboards/ganglion.json appears on /metrics (LLM meters after a priced call)")
  void metricsExist() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("docker/grafana/dashboards/ganglion.json")));
    Set<String> used = new TreeSet<>();
    dashboard.getJsonArray("panels").forEach(panel -> ((JsonObject) panel).getJsonArray("targets").forEach(target -> {
      Matcher m = METRIC.matcher(((JsonObject) target).getString("expr"));
      while (m.find()) {
        used.add(m.group(1));
      }
    }));
    assertThat(used).hasSizeGreaterThan(8);

    TestServer server = TestServer.shared();
    server.postJson("/v1/embeddings", "{\"input\":\"warm up the inference meters\"}");
    server.postJson("/v1/kbs", "{\"name\":\"dash-kb\"}");
    server.postJson("/v1/kbs/dash-kb/ask", "{\"question\":\"anything?\"}");
    String scraped = server.send(server.request("/metrics").GET().build()).body();

    PrometheusMeterRegistry llm = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    llm.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
        io.micrometer.core.instrument.Meter.Id id, io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
        return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder().percentilesHistogram(true)
          .build().merge(config);
      }
    });
    LlmMeters meters = new LlmMeters(llm, LlmProviderConfig.from(new JsonObject().put("name", "p").put("type", "openai")
      .put("baseUrl", "http://127.0.0.1:1").put("model", "m").put("inputCostPerMillionTokens", 1), "llm.providers[0]"));
    meters.firstToken(1_000_000);
    meters.completed(2_000_000, new ChatResult("ok", FinishReason.STOP, new TokenUsage(3, 4), "m", "p"), null);
    String all = scraped + llm.scrape();

    for (String metric : used) {
      assertThat(all).as(metric).contains(metric);
    }
  }
}
