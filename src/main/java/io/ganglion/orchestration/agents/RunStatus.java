package io.ganglion.orchestration.agents;

import java.util.Locale;

/**
 * Where a run is. {@link #RUNNING} and {@link #WAITING_APPROVAL} are live; every other status is final. The table in
 * verticles.md is the contract the console, the CLI and webhooks use.
 */
public enum RunStatus {
  /** The loop is working: a model call or tool calls are in flight. */
  RUNNING,
  /** Paused until a tool call in the agent's {@code approval} list is approved or rejected. */
  WAITING_APPROVAL,
  /** The model answered; {@code output} holds the answer. */
  COMPLETED,
  /** The agent's {@code maxSteps} model calls were spent without an answer. */
  MAX_STEPS,
  /** A token, time or cost budget (the run's, or the credential's daily tokens) would have been exceeded. */
  BUDGET_EXCEEDED,
  /** The model asked for the same call (name and arguments) a third time. */
  REPEATED_CALL,
  /** A pending call was rejected. */
  REJECTED,
  /** Cancelled by {@code POST /v1/runs/{id}/cancel} or by a streaming client that went away. */
  CANCELLED,
  /** Something failed that the model could not be told about (every provider down, a flagged tool result under
   * {@code stop}, an internal error); {@code error} says what. */
  FAILED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean terminal() {
    return this != RUNNING && this != WAITING_APPROVAL;
  }

  public static RunStatus of(String wireName) {
    return valueOf(wireName.toUpperCase(Locale.ROOT));
  }
}
