package io.ganglion.inference.onnx;

import java.util.Objects;

/**
 * Everything needed to load and run one model.
 *
 * @param name the name clients ask for, e.g. {@code bge-small-en-v1.5}
 * @param kind embedding, reranker or classifier
 * @param source where the graph and tokenizer are read from
 * @param pooling how token states become a vector (embeddings only)
 * @param dims the expected vector size, or 0 to take it from the graph; checked at warm-up
 * @param maxLength tokens per input (per pair for scorers); longer inputs are truncated and reported as such
 * @param queryPrefix prepended to {@link TextKind#QUERY} texts, e.g. bge's search instruction; empty for none
 * @param passagePrefix prepended to {@link TextKind#PASSAGE} texts, e.g. e5's {@code "passage: "}; empty for none
 * @param version the model's version; {@code name@version} ({@link #ref()}) is what knowledge bases record
 * @param weight the share of a reranker's or classifier's traffic this version takes when several versions of one
 *     name are loaded (A/B), relative to the others' weights; embedding models ignore it (a knowledge base uses the
 *     exact version it records)
 */
public record ModelSpec(
  String name,
  ModelKind kind,
  ModelSource source,
  Pooling pooling,
  int dims,
  int maxLength,
  String queryPrefix,
  String passagePrefix,
  String version,
  double weight) {

  /** The longest input any BERT-family graph here accepts. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  /** The version a model has when none is given. */
  public static final String DEFAULT_VERSION = "1";

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    version = version == null || version.isBlank() ? DEFAULT_VERSION : version;
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be a finite number of at least 0, got " + weight);
    }
    if (name.contains("@") || version.contains("@")) {
      throw new IllegalArgumentException("a model's name and version must not contain '@': " + name + "@" + version);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(pooling, "pooling");
    queryPrefix = queryPrefix == null ? "" : queryPrefix;
    passagePrefix = passagePrefix == null ? "" : passagePrefix;
    if (maxLength <= 0) {
      throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
    }
    if (dims < 0) {
      throw new IllegalArgumentException("dims must not be negative, got " + dims);
    }
  }

  /** A spec at {@link #DEFAULT_VERSION}. */
  public ModelSpec(String name, ModelKind kind, ModelSource source, Pooling pooling, int dims, int maxLength,
                   String queryPrefix, String passagePrefix) {
    this(name, kind, source, pooling, dims, maxLength, queryPrefix, passagePrefix, DEFAULT_VERSION, 1);
  }

  /** {@code name@version}: the model's identity, which knowledge bases record. */
  public String ref() {
    return name + "@" + version;
  }

  /** This spec at another version (a model loaded at runtime as {@code name@version}). */
  public ModelSpec withVersion(String newVersion) {
    return new ModelSpec(name, kind, source, pooling, dims, maxLength, queryPrefix, passagePrefix, newVersion, weight);
  }

  /** The text the model actually sees for {@code text} in role {@code kind}. */
  public String prefixed(String text, TextKind textKind) {
    String prefix = textKind == TextKind.QUERY ? queryPrefix : passagePrefix;
    return prefix.isEmpty() ? text : prefix + text;
  }

  /** This spec with another name and source: a known model's settings over the caller's files. */
  public ModelSpec withSource(String newName, ModelSource newSource) {
    return new ModelSpec(newName, kind, newSource, pooling, dims, maxLength, queryPrefix, passagePrefix, version,
      weight);
  }
}
