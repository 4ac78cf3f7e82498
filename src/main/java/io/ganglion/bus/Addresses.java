package io.ganglion.bus;

/**
 * Every event-bus address Ganglion listens on, named {@code ganglion.<verticle>.<action>}.
 * <p>
 * {@code verticles.md} is the contract for each address (request, reply and failure shapes, thread);
 * keep the two in step.
 */
public final class Addresses {

  private Addresses() {
  }

  /**
   * The node-local twin of a public address ({@code <address>.local}, registered with {@code localConsumer} by
   * {@link PublicAddress}): what this node's own verticles send to, so a request's internal hops stay on the node that
   * received it. Not for {@link #INFERENCE_EMBED} and {@link #REFLEX_ASK}, whose local twins take records.
   */
  public static String local(String address) {
    return address + ".local";
  }

  // inference
  public static final String INFERENCE_STATUS = "ganglion.inference.status";
  public static final String INFERENCE_EMBED = "ganglion.inference.embed";
  /** The same for this node's verticles: {@code EmbedRequest} in, {@code EmbedReply} out, by reference. */
  public static final String INFERENCE_EMBED_LOCAL = "ganglion.inference.embed.local";
  public static final String INFERENCE_RERANK = "ganglion.inference.rerank";
  public static final String INFERENCE_MODELS = "ganglion.inference.models";
  /** Node-local addresses of the inference worker verticles ({@code <prefix><n>}): one batch per message. */
  public static final String INFERENCE_WORKER_PREFIX = "ganglion.inference.worker.";
  /** Loads a model at runtime ({@code /v1/admin/models}); cluster-safe JSON. */
  public static final String INFERENCE_MODEL_LOAD = "ganglion.inference.model.load";
  /** Unloads a model at runtime; refused while a knowledge base uses it. */
  public static final String INFERENCE_MODEL_UNLOAD = "ganglion.inference.model.unload";

  /**
   * One node's model load or unload ({@code step} {@code load} or {@code unload}), cluster-internal (never on the
   * bridge): {@code ganglion.inference.model.<step>.<vertx node id>}, what {@code /v1/admin/models} on any node sends to
   * every serving member so a model is loaded (or unloaded) on all of them.
   */
  public static String inferenceModelAdmin(String vertxNodeId, String step) {
    return "ganglion.inference.model." + step + "." + vertxNodeId;
  }

  // retrieval
  public static final String RETRIEVAL_STATUS = "ganglion.retrieval.status";
  public static final String RETRIEVAL_KB_CREATE = "ganglion.retrieval.kb.create";
  public static final String RETRIEVAL_KB_LIST = "ganglion.retrieval.kb.list";
  public static final String RETRIEVAL_KB_GET = "ganglion.retrieval.kb.get";
  public static final String RETRIEVAL_KB_DELETE = "ganglion.retrieval.kb.delete";
  /** Changes a knowledge base's embedding model (re-embedding it in the background): {@code PUT /v1/kbs/{kb}}. */
  public static final String RETRIEVAL_KB_UPDATE = "ganglion.retrieval.kb.update";
  public static final String RETRIEVAL_INGEST = "ganglion.retrieval.ingest";
  public static final String RETRIEVAL_SEARCH = "ganglion.retrieval.search";
  public static final String RETRIEVAL_DELETE = "ganglion.retrieval.delete";
  public static final String RETRIEVAL_DOCUMENT_GET = "ganglion.retrieval.document.get";
  public static final String RETRIEVAL_DOCUMENT_LIST = "ganglion.retrieval.document.list";
  public static final String RETRIEVAL_JOB_GET = "ganglion.retrieval.job.get";
  /** Cancels a running model change: {@code DELETE /v1/jobs/{id}}. */
  public static final String RETRIEVAL_JOB_CANCEL = "ganglion.retrieval.job.cancel";
  /** Stored sentence vectors of chunks a search returned, for this node's extractive generator, by reference. */
  public static final String RETRIEVAL_SENTENCES_LOCAL = "ganglion.retrieval.sentences.local";
  /** Which knowledge bases use an embedding model ({@code name@version}); asked before it is unloaded. */
  public static final String RETRIEVAL_MODEL_USERS = "ganglion.retrieval.model.users";
  /**
   * Node-local: completes once this node handed its shard copies over after announcing it leaves (a clean stop), or
   * after {@code cluster.drainTimeoutMs}. The launcher asks it before stopping the verticles.
   */
  public static final String RETRIEVAL_DRAIN = "ganglion.retrieval.drain";
  /** The cluster as the answering node sees it: members, shards, owners, active copies (admin; {@code GET /v1/cluster}). */
  public static final String RETRIEVAL_CLUSTER = "ganglion.retrieval.cluster";
  /** Published (not sent) after every ingest, document delete and knowledge-base delete: caches key on the version. */
  public static final String RETRIEVAL_KB_CHANGED = "ganglion.retrieval.kb.changed";

  /**
   * Node-local, published by retrieval after each periodic sync in a cluster: {@code {"asOf":epochMs,"kbs":{"<tenant>/
   * <name>":"<createdAt>#<version>"}}}, every knowledge base's version as read from PostgreSQL no earlier than
   * {@code asOf}. The answer cache renews its trust in the versions it knows from it.
   */
  public static final String RETRIEVAL_KB_VERSIONS = "ganglion.retrieval.kb.versions";

  /** Where an ingestion job publishes its progress ({@code ganglion.retrieval.job.<id>}). */
  public static String retrievalJob(String jobId) {
    return "ganglion.retrieval.job." + jobId;
  }

  /**
   * One node's shard endpoint, cluster-internal (never on the bridge): {@code ganglion.retrieval.shards.<vertx node
   * id>.<step>}, step {@code stats}, {@code rank}, {@code fetch} or {@code changed}. The node id is its process's, so a
   * restarted node never receives what was meant for its predecessor.
   */
  public static String retrievalShards(String vertxNodeId, String step) {
    return "ganglion.retrieval.shards." + vertxNodeId + "." + step;
  }

  // reflex
  public static final String REFLEX_STATUS = "ganglion.reflex.status";
  public static final String REFLEX_INSPECT = "ganglion.reflex.inspect";
  /** Injection verdicts for untrusted passages (indirect injection): retrieved chunks, tool results. */
  public static final String REFLEX_INSPECT_PASSAGES = "ganglion.reflex.inspect.passages";
  /** An answer through the reflex rules and the response cache (JSON; cluster-safe). */
  public static final String REFLEX_ASK = "ganglion.reflex.ask";
  /** The same for this node's HTTP edge: {@code ReflexAsk} in, {@code ReflexAnswer} out, by reference. */
  public static final String REFLEX_ASK_LOCAL = "ganglion.reflex.ask.local";

  // http
  /** Published (not sent) when an API key is revoked: every HTTP instance drops it from its credential cache. */
  public static final String HTTP_KEY_REVOKED = "ganglion.http.key.revoked";

  // orchestration
  public static final String ORCHESTRATOR_STATUS = "ganglion.orchestrator.status";
  public static final String ORCHESTRATOR_ASK = "ganglion.orchestrator.ask";
  public static final String ORCHESTRATOR_CONVERSATION_GET = "ganglion.orchestrator.conversation.get";
  public static final String ORCHESTRATOR_TRACE_GET = "ganglion.orchestrator.trace.get";
  public static final String ORCHESTRATOR_TRACE_LIST = "ganglion.orchestrator.trace.list";
  public static final String ORCHESTRATOR_TRACE_FEEDBACK = "ganglion.orchestrator.trace.feedback";

  // orchestration: tools, agents and their runs
  public static final String ORCHESTRATOR_TOOLS_LIST = "ganglion.orchestrator.tools.list";
  public static final String ORCHESTRATOR_AGENT_CREATE = "ganglion.orchestrator.agent.create";
  public static final String ORCHESTRATOR_AGENT_GET = "ganglion.orchestrator.agent.get";
  public static final String ORCHESTRATOR_AGENT_UPDATE = "ganglion.orchestrator.agent.update";
  public static final String ORCHESTRATOR_AGENT_DELETE = "ganglion.orchestrator.agent.delete";
  public static final String ORCHESTRATOR_AGENT_LIST = "ganglion.orchestrator.agent.list";
  public static final String ORCHESTRATOR_RUN_START = "ganglion.orchestrator.run.start";
  public static final String ORCHESTRATOR_RUN_GET = "ganglion.orchestrator.run.get";
  public static final String ORCHESTRATOR_RUN_LIST = "ganglion.orchestrator.run.list";
  public static final String ORCHESTRATOR_RUN_CANCEL = "ganglion.orchestrator.run.cancel";
  public static final String ORCHESTRATOR_RUN_APPROVE = "ganglion.orchestrator.run.approve";
  public static final String ORCHESTRATOR_RUN_REJECT = "ganglion.orchestrator.run.reject";
  /** Published (not sent) on every status change of a run: {@code {"id","tenant","agent","status","at"}}. */
  public static final String ORCHESTRATOR_RUN_CHANGED = "ganglion.orchestrator.run.changed";
  /** A chat request straight to a configured provider (the {@code llm:<provider>} model of chat completions). */
  public static final String ORCHESTRATOR_LLM_CHAT = "ganglion.orchestrator.llm.chat";

  /** The status address of every verticle, in deployment order; {@code /ready} asks each. */
  public static final java.util.List<String> STATUS = java.util.List.of(
    INFERENCE_STATUS, RETRIEVAL_STATUS, REFLEX_STATUS, ORCHESTRATOR_STATUS);
}
