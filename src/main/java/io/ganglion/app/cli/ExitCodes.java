package io.ganglion.app.cli;

/**
 * Exit codes of every {@code ganglion} command, documented in README (CLI). {@code serve} keeps the server's own:
 * 0 clean stop, 2 invalid configuration, 3 PostgreSQL or Redis unreachable at start, 1 other failure.
 */
public final class ExitCodes {

  /** The command did what it was asked. */
  public static final int OK = 0;
  /** The server failed the request (5xx) or something unexpected happened. */
  public static final int FAILED = 1;
  /** Bad command line (unknown option, missing argument); picocli's own code for usage errors. */
  public static final int USAGE = 2;
  /** The server could not be reached at {@code --url}. */
  public static final int UNREACHABLE = 3;
  /** The server refused the credential (401) or it lacks a scope (403). */
  public static final int UNAUTHORIZED = 4;
  /** The knowledge base, document, key or job does not exist (404). */
  public static final int NOT_FOUND = 5;
  /** The server rejected the request as invalid (other 4xx: 400, 409, 413, 415, 422, 429). */
  public static final int REJECTED = 6;
  /** {@code ingest} finished, but some files failed (listed in its summary). */
  public static final int PARTIAL = 7;
  /** {@code agent run}: the run ended without an answer ({@code max_steps}, {@code budget_exceeded}, {@code failed}...). */
  public static final int RUN_ENDED = 8;

  private ExitCodes() {
  }

  /** The exit code for an HTTP status the server answered with. */
  public static int forStatus(int status) {
    if (status == 401 || status == 403) {
      return UNAUTHORIZED;
    }
    if (status == 404) {
      return NOT_FOUND;
    }
    return status >= 400 && status < 500 ? REJECTED : FAILED;
  }
}
