package io.ganglion.inference.onnx;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The embedding models Ganglion knows by name, with their pooling, size and prefixes. Their graphs come from the
 * langchain4j resource jars ({@code langchain4j-embeddings-<model>-q}); only bge's jar is a default dependency, the
 * others load when their jar is on the classpath or their files are given by path.
 */
public final class KnownModels {

  /** The default embedding model. */
  public static final String BGE_SMALL_EN_V15 = "bge-small-en-v1.5";
  public static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";
  public static final String E5_SMALL_V2 = "e5-small-v2";

  /** bge v1.5's instruction for short queries searching long passages (from its model card). */
  public static final String BGE_QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

  private static final Map<String, ModelSpec> SPECS = Map.of(
    BGE_SMALL_EN_V15, embedding(BGE_SMALL_EN_V15, "bge-small-en-v1.5-q", Pooling.CLS, BGE_QUERY_INSTRUCTION, ""),
    ALL_MINILM_L6_V2, embedding(ALL_MINILM_L6_V2, "all-minilm-l6-v2-q", Pooling.MEAN, "", ""),
    E5_SMALL_V2, embedding(E5_SMALL_V2, "e5-small-v2-q", Pooling.MEAN, "query: ", "passage: "));

  private KnownModels() {
  }

  /** The spec for a known name (case-insensitive), reading from its resource jar. */
  public static Optional<ModelSpec> named(String name) {
    return Optional.ofNullable(SPECS.get(name.toLowerCase(Locale.ROOT)));
  }

  private static ModelSpec embedding(String name, String resource, Pooling pooling, String query, String passage) {
    ModelSource source = new ModelSource.Classpath(resource + ".onnx", resource + "-tokenizer.json");
    return new ModelSpec(name, ModelKind.EMBEDDING, source, pooling, 384, ModelSpec.DEFAULT_MAX_LENGTH, query, passage);
  }
}
