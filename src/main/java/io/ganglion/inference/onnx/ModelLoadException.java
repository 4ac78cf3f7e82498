package io.ganglion.inference.onnx;

/** A model that could not be loaded or warmed up; start fails with it. */
public final class ModelLoadException extends RuntimeException {

  private final String model;

  public ModelLoadException(String model, String problem, Throwable cause) {
    super("model " + model + ": " + problem, cause);
    this.model = model;
  }

  /** The model's name. */
  public String model() {
    return model;
  }
}
