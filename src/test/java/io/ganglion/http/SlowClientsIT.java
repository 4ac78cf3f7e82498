package io.ganglion.http;

import io.ganglion.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Slow and abusive clients")
class SlowClientsIT {

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "slow-"), Map.of(
      "http.headerTimeoutMs", "3000", "http.bodyTimeoutMs", "1500", "http.idleTimeoutMs", "3000",
      "http.maxConnections", "8", "http.instances", "1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("headers dribbled a byte at a time are cut at the header deadline, though the connection never looks idle")
  void slowHeaders() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(dribbleUntilClosed(socket)).isLessThan(6000);
    }
  }

  @Test
  @DisplayName("on a keep-alive connection, requests in time keep it open past one header deadline; the next head is due within a deadline of the last answer")
  void keepAliveHeaders() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 5; i++) { // 5 s of answered requests, a second apart, against a 3 s header deadline
        out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(closedWithin(socket, 1000)).as("request %d", i).isFalse();
      }
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      // the deadline ran from the last answer, about a second before the dribble started
      assertThat(dribbleUntilClosed(socket)).isLessThan(5000);
    }
  }

  @Test
  @DisplayName("a body trickled slower than the body deadline gets 408 request_timeout and the connection is closed")
  void slowBody() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/kbs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + server.adminKey()
        + "\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"name\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StringBuilder response = new StringBuilder();
      socket.setSoTimeout(200);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          out.write(' ');
          out.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        try {
          int n = in.read(buffer);
          if (n < 0) {
            closed = true;
          } else {
            response.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
          }
        } catch (SocketTimeoutException e) {
          // nothing yet
        } catch (IOException e) {
          closed = true;
        }
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 408").contains("request_timeout");
      assertThat(closed).isTrue();
    }
  }

  @Test
  @DisplayName("connections over http.maxConnections are closed on arrival; an idle connection is closed after the idle timeout")
  void connectionCap() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        held.add(startRequest(connect()));
      }
      try (Socket extra = startRequest(connect())) {
        assertThat(closedWithin(extra, 1000)).as("the ninth connection, well before its header deadline").isTrue();
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    // a kept-alive connection that answered its request and then goes quiet is closed too (the server counts the
    // closed connections down as it notices them, so the first attempts may still be over the cap)
    Socket answered = await().atMost(Duration.ofSeconds(10)).until(SlowClientsIT::answeredHealth, s -> s != null);
    try (answered) {
      assertThat(closedWithin(answered, 5000)).isTrue();
    }
  }

  /** A connection on which GET /health was answered 200, kept open; {@code null} if the server closed it first. */
  private static Socket answeredHealth() throws IOException {
    Socket socket = connect();
    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.setSoTimeout(5000);
    byte[] head = new byte[12];
    if (socket.getInputStream().readNBytes(head, 0, 12) == 12 && new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
      return socket;
    }
    socket.close();
    return null;
  }

  /**
   * Sends one more header byte every 200 ms (so the connection never looks idle) until the server closes it, for at
   * most 8 s; the milliseconds that took (8 s and more: it was not closed).
   */
  private static long dribbleUntilClosed(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    long started = System.nanoTime();
    boolean closed = false;
    for (int i = 0; i < 40 && !closed; i++) {
      try {
        out.write('X');
        out.flush();
        closed = closedWithin(socket, 200);
      } catch (IOException e) {
        closed = true;
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    return closed ? ms : Math.max(ms, 8000);
  }

  /** The start of a request head that never ends: what a slowloris client holds its connections with. */
  private static Socket startRequest(Socket socket) throws IOException {
    socket.getOutputStream().write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  private static Socket connect() throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), server.ganglion().port());
  }

  /** Whether the server closes {@code socket} within {@code ms} (reads and discards what it sends before). */
  private static boolean closedWithin(Socket socket, long ms) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }
}
