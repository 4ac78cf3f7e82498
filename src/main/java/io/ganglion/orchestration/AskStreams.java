package io.ganglion.orchestration;

/**
 * The streaming protocol of {@code ganglion.orchestrator.ask}.
 * <p>
 * The caller registers a consumer on an address of its own and sends the ask with that address in the
 * {@value #STREAM_HEADER} header. While answering, the orchestrator sends it events
 * {@code {"event":"step"|"token"|"citation","data":{...}}} in order, then replies to the ask itself with the full
 * answer (or fails it). To cancel, the caller sends anything to the stream address plus {@value #CANCEL_SUFFIX}; the
 * orchestrator stops at its next step and abandons a generation in flight.
 */
public final class AskStreams {

  /** Event-bus header naming the address stream events go to. */
  public static final String STREAM_HEADER = "x-ask-stream";
  /** Appended to the stream address: where a cancel is sent. */
  public static final String CANCEL_SUFFIX = ".cancel";
  /** Prefix of stream addresses made by {@link AskClient}. */
  public static final String STREAM_PREFIX = "ganglion.orchestrator.stream.";

  public static final String STEP = "step";
  public static final String TOKEN = "token";
  public static final String CITATION = "citation";

  private AskStreams() {
  }
}
