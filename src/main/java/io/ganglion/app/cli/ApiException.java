package io.ganglion.app.cli;

/** A request the server answered with an error ({@code {"error":{"code","message","requestId"}}}), or could not answer. */
final class ApiException extends RuntimeException {

  private final int exitCode;

  ApiException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  static ApiException fromResponse(int status, String body) {
    String message;
    try {
      io.vertx.core.json.JsonObject error = new io.vertx.core.json.JsonObject(body).getJsonObject("error");
      message = error.getString("message") + " (HTTP " + status + " " + error.getString("code")
        + (error.getString("requestId") == null ? "" : ", request " + error.getString("requestId")) + ")";
    } catch (RuntimeException e) {
      message = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + body.strip());
    }
    return new ApiException(ExitCodes.forStatus(status), message);
  }

  /** The {@code error} of a stream's {@code error} event (the body is the error contract, its status is not sent). */
  static ApiException fromStreamError(io.vertx.core.json.JsonObject error) {
    return fromResponse(statusOf(error.getString("code")),
      new io.vertx.core.json.JsonObject().put("error", error).encode());
  }

  private static int statusOf(String slug) {
    return switch (slug == null ? "" : slug) {
      case "unauthorized" -> 401;
      case "forbidden" -> 403;
      case "not_found" -> 404;
      case "invalid_request", "malformed_json" -> 400;
      case "payload_too_large" -> 413;
      case "unprocessable" -> 422;
      case "rate_limited" -> 429;
      default -> 500;
    };
  }

  int exitCode() {
    return exitCode;
  }
}
