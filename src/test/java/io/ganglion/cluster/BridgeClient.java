package io.ganglion.cluster;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A minimal client of the TCP event-bus bridge speaking its wire format with a plain socket: 4-byte big-endian length,
 * then a UTF-8 JSON frame. Blocking; one per test.
 */
final class BridgeClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  BridgeClient(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setSoTimeout(30_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  /** Sends a {@code send} frame with a fresh reply address and returns the frame answering it. */
  JsonObject request(String key, String address, JsonObject body) throws IOException {
    return request(key, address, body, new JsonObject());
  }

  JsonObject request(String key, String address, JsonObject body, JsonObject headers) throws IOException {
    String reply = "client.reply." + UUID.randomUUID();
    if (key != null) {
      headers.put("authorization", "Bearer " + key);
    }
    write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", reply)
      .put("headers", headers).put("body", body));
    while (true) {
      JsonObject frame = read();
      if (reply.equals(frame.getString("address"))) {
        return frame;
      }
    }
  }

  void write(JsonObject frame) throws IOException {
    writeRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  void writeRaw(byte[] payload) throws IOException {
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
  }

  /** Only a length prefix: the server must refuse before the body arrives. */
  void announce(int length) throws IOException {
    out.writeInt(length);
    out.flush();
  }

  JsonObject read() throws IOException {
    int length = in.readInt();
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new JsonObject(new String(payload, StandardCharsets.UTF_8));
  }

  /** Whether the server closed the connection (reads to the end within the socket timeout). */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        read();
      }
    } catch (EOFException | java.net.SocketException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
