package io.ganglion.orchestration.agents;

/**
 * The streaming protocol of {@code ganglion.orchestrator.run.start} (and of approve, which resumes a run): the same
 * as the ask's ({@link io.ganglion.bus.AskStreams}). The caller registers a consumer on an address of its
 * own and sends the request with that address in the {@value #STREAM_HEADER} header; the orchestrator sends it
 * {@code {"event","data"}} messages in order — {@value #STEP}, {@value #TOOL_CALL}, {@value #TOOL_RESULT},
 * {@value #TOKEN} — then replies to the request with the run. Sending anything to the stream address plus
 * {@value #CANCEL_SUFFIX} cancels the run (unless it was started with {@code detach}).
 */
public final class RunStreams {

  public static final String STREAM_HEADER = "x-run-stream";
  public static final String CANCEL_SUFFIX = ".cancel";
  public static final String STREAM_PREFIX = "ganglion.orchestrator.run.stream.";

  /** A step finished: the step as in the run's {@code steps}, with its {@code index}. */
  public static final String STEP = "step";
  /** The model asked for a call: {@code {"id","tool","arguments","approval"?:true}}. */
  public static final String TOOL_CALL = "tool_call";
  /** A call finished: {@code {"id","tool","result"|"error","ms"}}. */
  public static final String TOOL_RESULT = "tool_result";
  /** Answer text from the model, after the reflex layer: {@code {"text"}}. */
  public static final String TOKEN = "token";

  private RunStreams() {
  }
}
