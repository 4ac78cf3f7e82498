package io.ganglion.inference.onnx;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

import java.util.Collection;

/** A request named a model that is not loaded, or one of the wrong kind; the verticle answers 404 (4040). */
public final class UnknownModelException extends IllegalArgumentException implements CodedFailure {

  public UnknownModelException(String name, Collection<String> known) {
    super("no model named " + name + "; loaded: " + String.join(", ", known));
  }

  public UnknownModelException(String message) {
    super(message);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.NOT_FOUND;
  }
}
