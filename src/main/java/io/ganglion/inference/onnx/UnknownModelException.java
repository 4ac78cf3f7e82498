package io.ganglion.inference.onnx;

import java.util.Collection;

/** A request named a model that is not loaded, or one of the wrong kind; the verticle answers 404 or 400. */
public final class UnknownModelException extends IllegalArgumentException {

  public UnknownModelException(String name, Collection<String> known) {
    super("no model named " + name + "; loaded: " + String.join(", ", known));
  }

  public UnknownModelException(String message) {
    super(message);
  }
}
