package io.ganglion.inference.onnx;

import java.util.Locale;

/** Where ONNX graphs run. {@link #CUDA} falls back to {@link #CPU}, with one logged warning, when ORT has no CUDA. */
public enum Device {
  CPU,
  CUDA;

  /** Parses {@code cpu} or {@code cuda}, case-insensitively; anything else is an {@link IllegalArgumentException}. */
  public static Device parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "cpu" -> CPU;
      case "cuda", "gpu" -> CUDA;
      default -> throw new IllegalArgumentException("must be cpu or cuda, got " + value);
    };
  }
}
