package io.ganglion.retrieval.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.retrieval.RetrievalConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Query routing by the shape of the query")
class QueryShapeTest {

  @Test
  @DisplayName("codes and identifiers in a few words, and one or two words, are keyword-like")
  void keywordLike() {
    for (String q : new String[] {"E-1234", "ERR_TIMEOUT retries", "v2.3.1 changelog", "invoice INV-2024-0042 status",
      "vacation policy", "HTTP 503"}) {
      assertThat(QueryShape.of(q)).as(q).isEqualTo(QueryShape.KEYWORD_LIKE);
    }
  }

  @Test
  @DisplayName("questions and sentences of six words or more are natural language; a few plain words are mixed")
  void naturalAndMixed() {
    assertThat(QueryShape.of("How many vacation days do contractors get?")).isEqualTo(QueryShape.NATURAL_LANGUAGE);
    assertThat(QueryShape.of("what does ERR_TIMEOUT mean for retries")).isEqualTo(QueryShape.NATURAL_LANGUAGE);
    assertThat(QueryShape.of("0-dimensional biomaterials lack inductive properties in vivo."))
      .isEqualTo(QueryShape.NATURAL_LANGUAGE);
    assertThat(QueryShape.of("carry over unused vacation")).isEqualTo(QueryShape.MIXED);
  }

  @Test
  @DisplayName("routing gives keyword-like queries the keyword-leaning weight and questions the vector-leaning one")
  void routedWeights() {
    RetrievalConfig config = RetrievalConfig.from(new JsonObject().put("routing", true)
      .put("keywordLikeVectorWeight", 0.2).put("naturalVectorWeight", 0.8).put("vectorWeight", 0.5));
    assertThat(Searcher.routedWeight(config, "E-1234")).isEqualTo(0.2);
    assertThat(Searcher.routedWeight(config, "How many vacation days do contractors get?")).isEqualTo(0.8);
    assertThat(Searcher.routedWeight(config, "carry over unused vacation")).isEqualTo(0.5);
  }
}
