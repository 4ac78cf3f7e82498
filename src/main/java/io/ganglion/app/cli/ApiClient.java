package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The CLI's HTTP client: JSON requests with the bearer credential, error replies turned into {@link ApiException}s
 * carrying the command's exit code, and Server-Sent Events read line by line as they arrive. Blocking (a CLI has one
 * thing to do at a time); the JDK's {@link HttpClient}, so a CLI command starts no Vert.x.
 */
final class ApiClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** A synchronous ingestion embeds every chunk before it answers; the server's own deadline is 5 minutes. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(6);

  private final String base;
  private final String key;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

  ApiClient(String url, String key) {
    this.base = Connection.stripSlash(url);
    this.key = key;
  }

  JsonObject get(String path) {
    return json(send(request(path).GET()));
  }

  JsonObject post(String path, JsonObject body) {
    return json(send(request(path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode()))));
  }

  /** POST returning the status as well (ingestion answers 200 or 202). */
  Reply postForReply(String path, JsonObject body) {
    HttpResponse<String> response = send(request(path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
    return new Reply(response.statusCode(), json(response));
  }

  void delete(String path) {
    send(request(path).DELETE());
  }

  /**
   * Reads a Server-Sent Events response to its end, calling {@code onEvent(name, data)} for each event ({@code
   * message} when unnamed); comments ({@code : ping}) are skipped. {@code body} null sends a GET.
   */
  void events(String path, JsonObject body, BiConsumer<String, String> onEvent) {
    HttpRequest.Builder builder = request(path).header("Accept", "text/event-stream");
    builder = body == null ? builder.GET() : builder.header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<InputStream> response = call(builder.timeout(REQUEST_TIMEOUT).build(),
      HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() >= 400) {
        StringBuilder text = new StringBuilder();
        for (String line; (line = reader.readLine()) != null; ) {
          text.append(line);
        }
        throw ApiException.fromResponse(response.statusCode(), text.toString());
      }
      String event = "message";
      StringBuilder data = new StringBuilder();
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            onEvent.accept(event, data.toString());
          }
          event = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).stripLeading());
        }
      }
    } catch (IOException e) {
      throw new ApiException(ExitCodes.FAILED, "the stream from " + base + " broke off: " + e.getMessage());
    }
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest.Builder builder) {
    HttpResponse<String> response = call(builder.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw ApiException.fromResponse(response.statusCode(), response.body());
    }
    return response;
  }

  private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new ApiException(ExitCodes.UNREACHABLE, "cannot reach the server at " + base
        + " (is it running? start it with ./ganglion, or pass --url)");
    } catch (IOException e) {
      throw new ApiException(ExitCodes.UNREACHABLE, "cannot talk to the server at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(ExitCodes.FAILED, "interrupted");
    }
  }

  private static JsonObject json(HttpResponse<String> response) {
    String body = response.body();
    return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
  }

  /** A status and its JSON body. */
  record Reply(int status, JsonObject body) {
  }
}
