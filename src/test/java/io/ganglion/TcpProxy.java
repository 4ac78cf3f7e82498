package io.ganglion;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between a client under test and a real server, to stage network failures:
 * {@link #cut()} stops every byte in both directions while keeping the connections open (a partition: packets
 * dropped, nothing reset; new connections are accepted and then hear nothing), {@link #restore()} lets the held bytes
 * through again, {@link #refuse()} resets every connection and every new one (the server is gone), and
 * {@link #target(int)} points new connections at another port (the server came back elsewhere).
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode { FORWARD, CUT, REFUSE }

  private final ServerSocket listener;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile Mode mode = Mode.FORWARD;
  private volatile int targetPort;

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("proxy-accept").start(this::accept);
  }

  public int port() {
    return listener.getLocalPort();
  }

  public void target(int port) {
    this.targetPort = port;
  }

  /** Partition: hold every byte, reset nothing. */
  public void cut() {
    mode = Mode.CUT;
  }

  /** End of a partition or refusal: bytes flow again (held ones first). */
  public void restore() {
    synchronized (gate) {
      mode = Mode.FORWARD;
      gate.notifyAll();
    }
  }

  /** The server is gone: close every connection now, and each new one as it arrives. */
  public void refuse() {
    mode = Mode.REFUSE;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    refuse();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      if (mode == Mode.REFUSE) {
        closeQuietly(client);
        continue;
      }
      sockets.add(client);
      Thread.ofVirtual().start(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    try {
      awaitForwarding(); // a connection made during a cut hears nothing until it ends
      Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      sockets.add(server);
      Thread.ofVirtual().start(() -> pump(server, client));
      pump(client, server);
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitForwarding();
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side closed or was reset
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private void awaitForwarding() throws InterruptedException, IOException {
    synchronized (gate) {
      while (mode == Mode.CUT) {
        gate.wait();
      }
    }
    if (mode == Mode.REFUSE) {
      throw new IOException("refused");
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
