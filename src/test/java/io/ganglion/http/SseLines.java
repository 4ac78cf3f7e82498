package io.ganglion.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads a Server-Sent Events body line by line as it arrives (on a thread of its own), so a test can wait, with a
 * bound, for the line it expects while the stream is still open. {@link #close()} hangs up.
 */
final class SseLines implements AutoCloseable {

  /** Put on the queue when the server ended the stream. */
  private static final String END = "\u0000end";

  private final InputStream body;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private boolean ended;

  SseLines(InputStream body) {
    this.body = body;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // hung up by close(), or the connection was reset: either way the stream is over
      }
      lines.add(END);
    }, "sse-lines");
    reader.setDaemon(true);
    reader.start();
  }

  /** Reads lines until one matches; fails when the stream ends first or nothing matches within {@code within}. */
  String until(Predicate<String> match, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no matching line within " + within + "; read so far: " + seen);
      }
      if (line.equals(END)) {
        ended = true;
        throw new AssertionError("the stream ended before a matching line; read: " + seen);
      }
      seen.add(line);
      if (match.test(line)) {
        return line;
      }
    }
  }

  /** Reads to the end of the stream (bounded) and returns every line read, from the start. */
  List<String> toEnd(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!ended) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("the stream did not end within " + within + "; read: " + seen);
      }
      if (line.equals(END)) {
        ended = true;
      } else {
        seen.add(line);
      }
    }
    return List.copyOf(seen);
  }

  /** Every line read so far. */
  List<String> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
