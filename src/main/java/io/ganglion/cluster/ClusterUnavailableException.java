package io.ganglion.cluster;

/** This node could not join its cluster (its member or event-bus port taken, its host not bindable); start fails. */
public final class ClusterUnavailableException extends RuntimeException {

  public ClusterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
