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

  int exitCode() {
    return exitCode;
  }
}
