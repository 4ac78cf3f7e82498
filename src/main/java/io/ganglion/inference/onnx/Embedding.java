package io.ganglion.inference.onnx;

/**
 * One text's embedding.
 *
 * @param vector the L2-normalised vector
 * @param tokens the tokens the model saw, special tokens included
 * @param truncated whether the text was cut to the model's max length
 */
public record Embedding(float[] vector, int tokens, boolean truncated) {
}
