package io.ganglion.inference.onnx;

/**
 * The role of a text given to an embedding model: asymmetric models (bge, e5) embed a search query with an
 * instruction prefix and a passage without one (or with its own).
 */
public enum TextKind {
  QUERY,
  PASSAGE
}
