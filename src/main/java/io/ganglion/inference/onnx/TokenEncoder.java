package io.ganglion.inference.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A Hugging Face tokenizer (DJL's Rust binding) that adds special tokens, truncates to the model's max length and
 * never pads: padding is per batch, in {@link EncodedBatch}.
 * <p>
 * <b>NOTE</b>: encoding is thread-safe (the Rust tokenizer is immutable once built). DJL runs offline: the first
 * instance sets {@code ai.djl.offline} and {@code OPT_OUT_TRACKING} unless the operator set them, so the native
 * library is only ever extracted from the jar, never downloaded, and no usage ping is sent.
 */
public final class TokenEncoder implements AutoCloseable {

  static {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  private final HuggingFaceTokenizer tokenizer;

  private TokenEncoder(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Loads the tokenizer of {@code source}, truncating at {@code maxLength} tokens. */
  public static TokenEncoder load(ModelSource source, int maxLength) throws IOException {
    Map<String, String> options = Map.of(
      "addSpecialTokens", "true",
      "truncation", "true",
      "padding", "false",
      "maxLength", Integer.toString(maxLength));
    try (InputStream in = source.openTokenizer()) {
      return new TokenEncoder(HuggingFaceTokenizer.newInstance(in, options));
    }
  }

  /** One text; {@link Encoding#exceedMaxLength()} tells whether it was truncated. */
  public Encoding encode(String text) {
    return tokenizer.encode(text);
  }

  /** A text pair as {@code [CLS] first [SEP] second [SEP]}, with type ids 0 then 1; the longer side is cut first. */
  public Encoding encode(String first, String second) {
    return tokenizer.encode(first, second);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
