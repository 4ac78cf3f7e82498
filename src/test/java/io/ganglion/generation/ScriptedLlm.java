package io.ganglion.generation;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted LLM API on a random local port that speaks both upstream protocols as the real services do: OpenAI Chat
 * Completions ({@code POST /v1/chat/completions}: JSON, or SSE chunks whose {@code delta.tool_calls} fragments carry
 * each call's id and name first and its arguments in pieces, calls interleaved by {@code index}, then the finish
 * chunk, the usage chunk and {@code [DONE]}) and Anthropic Messages ({@code POST /v1/messages}: JSON content blocks,
 * or the event sequence with {@code tool_use} blocks streamed as {@code input_json_delta}s).
 * <p>
 * A test scripts the answer to each request from what the request says ({@link Turn}: the conversation normalised
 * across protocols), so a scenario is deterministic whatever order concurrent runs reach it in.
 */
public final class ScriptedLlm implements AutoCloseable {

  /** One message of a request, the same whichever protocol carried it. */
  public record Message(String role, String text, String toolCallId, String toolName, List<ToolCall> toolCalls) {
  }

  /** What the model is asked: the system prompt, the messages, the tools offered and whether to stream. */
  public record Turn(String protocol, String system, List<Message> messages, List<String> tools, boolean stream,
                     JsonObject body) {

    /** The text of the last user message. */
    public String lastUser() {
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.get(i).role().equals("user")) {
          return messages.get(i).text();
        }
      }
      return "";
    }

    /** The tool results so far, in order. */
    public List<Message> toolResults() {
      return messages.stream().filter(m -> m.role().equals("tool")).toList();
    }

    /** The results that follow the last assistant turn (those the model has not answered yet). */
    public List<Message> newToolResults() {
      List<Message> out = new ArrayList<>();
      for (int i = messages.size() - 1; i >= 0 && messages.get(i).role().equals("tool"); i--) {
        out.addFirst(messages.get(i));
      }
      return out;
    }

    /** How many assistant turns came before: 0 on the first step of a run. */
    public int step() {
      return (int) messages.stream().filter(m -> m.role().equals("assistant")).count();
    }
  }

  /** The scripted answer: text, tool calls, or both; and the usage to report. */
  public record Reply(String text, List<ToolCall> calls, int promptTokens, int completionTokens) {

    public static Reply text(String text) {
      return new Reply(text, List.of(), 20, Math.max(1, text.length() / 4));
    }

    public static Reply calls(ToolCall... calls) {
      return new Reply("", List.of(calls), 20, 10);
    }

    public Reply usage(int prompt, int completion) {
      return new Reply(text, calls, prompt, completion);
    }
  }

  /** A call with a fresh id. */
  public static ToolCall call(String name, JsonObject arguments) {
    return new ToolCall("call_" + IDS.incrementAndGet(), name, arguments.encode());
  }

  private static final AtomicInteger IDS = new AtomicInteger();

  private final HttpServer server;
  private final List<Turn> received = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.LongAdder serviceNanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder answered = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean recording = true;
  private volatile Function<Turn, Reply> script = turn -> Reply.text("No script.");

  private ScriptedLlm(HttpServer server) {
    this.server = server;
  }

  /** Starts the server (blocking until it listens); call from a test thread. */
  public static ScriptedLlm start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer();
    ScriptedLlm llm = new ScriptedLlm(server);
    server.requestHandler(llm::handle);
    server.listen(0, "127.0.0.1").await();
    return llm;
  }

  public ScriptedLlm script(Function<Turn, Reply> script) {
    this.script = script;
    received.clear();
    return this;
  }

  /** {@code http://127.0.0.1:<port>/v1} for OpenAI, the same root for Anthropic ({@code /v1/messages} is appended). */
  public String openAiBaseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public String anthropicBaseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Turn> received() {
    return List.copyOf(received);
  }

  /** Stops keeping every request (benchmarks send too many to keep). */
  public ScriptedLlm notRecording() {
    recording = false;
    return this;
  }

  /** Mean time from a request's last byte to its response's last byte, in milliseconds. */
  public double meanServiceMs() {
    long n = answered.sum();
    return n == 0 ? 0 : serviceNanos.sum() / 1e6 / n;
  }

  public long answered() {
    return answered.sum();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      long arrived = System.nanoTime();
      request.response().endHandler(v -> {
        serviceNanos.add(System.nanoTime() - arrived);
        answered.increment();
      });
      JsonObject body = buffer.toJsonObject();
      boolean anthropic = request.path().endsWith("/messages");
      Turn turn = anthropic ? anthropicTurn(body) : openAiTurn(body);
      if (recording) {
        received.add(turn);
      }
      Reply reply;
      try {
        reply = script.apply(turn);
      } catch (RuntimeException e) {
        request.response().setStatusCode(500).end(new JsonObject().put("error", new JsonObject()
          .put("message", "script failed: " + e).put("type", "server_error")).encode());
        return;
      }
      if (anthropic) {
        anthropic(request.response(), reply, turn.stream());
      } else {
        openAi(request.response(), reply, turn.stream());
      }
    });
  }

  // OpenAI

  private static Turn openAiTurn(JsonObject body) {
    List<Message> messages = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    String system = null;
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if (role.equals("system")) {
        system = m.getString("content");
        continue;
      }
      List<ToolCall> calls = new ArrayList<>();
      for (Object c : m.getJsonArray("tool_calls", new JsonArray())) {
        JsonObject call = (JsonObject) c;
        JsonObject function = call.getJsonObject("function");
        calls.add(new ToolCall(call.getString("id"), function.getString("name"), function.getString("arguments")));
        names.put(call.getString("id"), function.getString("name"));
      }
      String callId = m.getString("tool_call_id");
      messages.add(new Message(role, m.getValue("content") instanceof String s ? s : "", callId,
        callId == null ? null : names.get(callId), calls));
    }
    List<String> tools = new ArrayList<>();
    for (Object t : body.getJsonArray("tools", new JsonArray())) {
      tools.add(((JsonObject) t).getJsonObject("function").getString("name"));
    }
    return new Turn("openai", system, messages, tools, body.getBoolean("stream", false), body);
  }

  private static void openAi(HttpServerResponse response, Reply reply, boolean stream) {
    String finish = reply.calls().isEmpty() ? "stop" : "tool_calls";
    if (!stream) {
      JsonObject message = new JsonObject().put("role", "assistant")
        .put("content", reply.text().isEmpty() && !reply.calls().isEmpty() ? null : reply.text());
      if (!reply.calls().isEmpty()) {
        JsonArray calls = new JsonArray();
        reply.calls().forEach(c -> calls.add(new JsonObject().put("id", c.id()).put("type", "function")
          .put("function", new JsonObject().put("name", c.name()).put("arguments", c.arguments()))));
        message.put("tool_calls", calls);
      }
      json(response, new JsonObject().put("id", "chatcmpl-s").put("object", "chat.completion")
        .put("created", 1700000000).put("model", "scripted-1")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
          .put("finish_reason", finish)))
        .put("usage", usage(reply)));
      return;
    }
    sse(response);
    write(response, openAiChunk(new JsonObject().put("role", "assistant").put("content", ""), null));
    for (String piece : pieces(reply.text())) {
      write(response, openAiChunk(new JsonObject().put("content", piece), null));
    }
    // first fragment of every call (id, name, empty arguments), then the argument pieces interleaved across calls
    for (int i = 0; i < reply.calls().size(); i++) {
      ToolCall c = reply.calls().get(i);
      write(response, openAiChunk(toolDelta(i, new JsonObject().put("id", c.id()).put("type", "function")
        .put("function", new JsonObject().put("name", c.name()).put("arguments", ""))), null));
    }
    List<List<String>> fragments = reply.calls().stream().map(c -> thirds(c.arguments())).toList();
    for (int piece = 0; piece < 3; piece++) {
      for (int i = 0; i < fragments.size(); i++) {
        write(response, openAiChunk(toolDelta(i, new JsonObject()
          .put("function", new JsonObject().put("arguments", fragments.get(i).get(piece)))), null));
      }
    }
    write(response, openAiChunk(new JsonObject(), finish));
    write(response, "data: " + new JsonObject().put("id", "chatcmpl-s").put("object", "chat.completion.chunk")
      .put("created", 1700000000).put("model", "scripted-1").put("choices", new JsonArray())
      .put("usage", usage(reply)).encode() + "\n\n");
    response.end("data: [DONE]\n\n");
  }

  private static JsonObject toolDelta(int index, JsonObject part) {
    return new JsonObject().put("tool_calls", new JsonArray().add(part.put("index", index)));
  }

  private static String openAiChunk(JsonObject delta, String finish) {
    return "data: " + new JsonObject().put("id", "chatcmpl-s").put("object", "chat.completion.chunk")
      .put("created", 1700000000).put("model", "scripted-1")
      .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
        .put("finish_reason", finish))).encode() + "\n\n";
  }

  private static JsonObject usage(Reply reply) {
    return new JsonObject().put("prompt_tokens", reply.promptTokens()).put("completion_tokens", reply.completionTokens())
      .put("total_tokens", reply.promptTokens() + reply.completionTokens());
  }

  // Anthropic

  private static Turn anthropicTurn(JsonObject body) {
    List<Message> messages = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if (m.getValue("content") instanceof String text) {
        messages.add(new Message(role, text, null, null, List.of()));
        continue;
      }
      StringBuilder text = new StringBuilder();
      List<ToolCall> calls = new ArrayList<>();
      for (Object b : m.getJsonArray("content")) {
        JsonObject block = (JsonObject) b;
        switch (block.getString("type")) {
          case "text" -> text.append(block.getString("text"));
          case "tool_use" -> {
            calls.add(new ToolCall(block.getString("id"), block.getString("name"),
              block.getJsonObject("input").encode()));
            names.put(block.getString("id"), block.getString("name"));
          }
          case "tool_result" -> messages.add(new Message("tool", String.valueOf(block.getValue("content")),
            block.getString("tool_use_id"), names.get(block.getString("tool_use_id")), List.of()));
          default -> throw new IllegalArgumentException("unexpected block " + block);
        }
      }
      if (!text.isEmpty() || !calls.isEmpty()) {
        messages.add(new Message(role, text.toString(), null, null, calls));
      }
    }
    List<String> tools = new ArrayList<>();
    for (Object t : body.getJsonArray("tools", new JsonArray())) {
      JsonObject tool = (JsonObject) t;
      if (!tool.containsKey("input_schema")) {
        throw new IllegalArgumentException("an Anthropic tool needs input_schema");
      }
      tools.add(tool.getString("name"));
    }
    return new Turn("anthropic", body.getString("system"), messages, tools, body.getBoolean("stream", false), body);
  }

  private static void anthropic(HttpServerResponse response, Reply reply, boolean stream) {
    String stopReason = reply.calls().isEmpty() ? "end_turn" : "tool_use";
    if (!stream) {
      JsonArray content = new JsonArray();
      if (!reply.text().isEmpty()) {
        content.add(new JsonObject().put("type", "text").put("text", reply.text()));
      }
      reply.calls().forEach(c -> content.add(new JsonObject().put("type", "tool_use").put("id", c.id())
        .put("name", c.name()).put("input", new JsonObject(c.arguments()))));
      json(response, new JsonObject().put("id", "msg_s").put("type", "message").put("role", "assistant")
        .put("model", "claude-scripted").put("content", content).put("stop_reason", stopReason).putNull("stop_sequence")
        .put("usage", new JsonObject().put("input_tokens", reply.promptTokens())
          .put("output_tokens", reply.completionTokens())));
      return;
    }
    sse(response);
    write(response, event("message_start", new JsonObject().put("message", new JsonObject().put("id", "msg_s")
      .put("type", "message").put("role", "assistant").put("model", "claude-scripted").put("content", new JsonArray())
      .putNull("stop_reason").put("usage", new JsonObject().put("input_tokens", reply.promptTokens())
        .put("output_tokens", 1)))));
    int index = 0;
    if (!reply.text().isEmpty()) {
      write(response, event("content_block_start", new JsonObject().put("index", index)
        .put("content_block", new JsonObject().put("type", "text").put("text", ""))));
      write(response, event("ping", new JsonObject()));
      for (String piece : pieces(reply.text())) {
        write(response, event("content_block_delta", new JsonObject().put("index", index)
          .put("delta", new JsonObject().put("type", "text_delta").put("text", piece))));
      }
      write(response, event("content_block_stop", new JsonObject().put("index", index)));
      index++;
    }
    for (ToolCall c : reply.calls()) {
      write(response, event("content_block_start", new JsonObject().put("index", index)
        .put("content_block", new JsonObject().put("type", "tool_use").put("id", c.id()).put("name", c.name())
          .put("input", new JsonObject()))));
      for (String piece : thirds(c.arguments())) {
        write(response, event("content_block_delta", new JsonObject().put("index", index)
          .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", piece))));
      }
      write(response, event("content_block_stop", new JsonObject().put("index", index)));
      index++;
    }
    write(response, event("message_delta", new JsonObject()
      .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
      .put("usage", new JsonObject().put("output_tokens", reply.completionTokens()))));
    response.end(event("message_stop", new JsonObject()));
  }

  private static String event(String type, JsonObject data) {
    return "event: " + type + "\ndata: " + data.put("type", type).encode() + "\n\n";
  }

  // shared

  /** Words with their trailing space, as tokens arrive. */
  private static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  /** A JSON text cut in three pieces at arbitrary points (none of them valid JSON alone). */
  private static List<String> thirds(String json) {
    int a = json.length() / 3;
    int b = 2 * json.length() / 3;
    return List.of(json.substring(0, a), json.substring(a, b), json.substring(b));
  }

  private static void sse(HttpServerResponse response) {
    response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
  }

  private static void write(HttpServerResponse response, String frame) {
    if (!response.closed()) {
      response.write(frame);
    }
  }

  private static void json(HttpServerResponse response, JsonObject body) {
    response.putHeader("content-type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    server.close();
  }
}
