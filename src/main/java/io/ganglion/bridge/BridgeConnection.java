package io.ganglion.bridge;

import io.ganglion.bus.ErrorCode;
import io.ganglion.http.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;

import java.util.HashSet;
import java.util.Set;

/**
 * One bridge client: its socket, and its own connection to the TCP event-bus bridge behind the gate. Frames from the
 * client are cut ({@link FrameReader}, refusing oversized ones before reading them), admitted one at a time in order
 * ({@link BridgeGate}) and forwarded re-encoded; everything the bridge sends back (replies, registered messages, its
 * own {@code err} frames) goes to the client unchanged. Either side closing closes the other.
 * <p>
 * <b>NOTE</b>: confined to the client socket's event loop.
 */
final class BridgeConnection {

  /** Connections per credential subject on this node. */
  interface Slots {
    boolean acquire(String subject);

    void release(String subject);
  }

  private final NetSocket client;
  private final NetSocket bridge;
  private final BridgeGate gate;
  private final Slots slots;
  private final int maxFrameBytes;
  private final Set<String> registrations = new HashSet<>();
  private String subject;
  private Future<Void> tail = Future.succeededFuture();
  private boolean closed;

  BridgeConnection(NetSocket client, NetSocket bridge, BridgeGate gate, Slots slots, int maxFrameBytes) {
    this.client = client;
    this.bridge = bridge;
    this.gate = gate;
    this.slots = slots;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Starts relaying; the client socket was paused until the bridge connection existed. */
  void start() {
    FrameReader frames = new FrameReader(maxFrameBytes, new FrameReader.Sink() {
      @Override
      public void frame(Buffer payload) {
        tail = tail.transform(ignored -> admit(payload));
      }

      @Override
      public void tooLarge(long announced) {
        refuse(null, ErrorCode.PAYLOAD_TOO_LARGE.exception("a frame of " + announced + " bytes is over bridge.maxFrameBytes ("
          + maxFrameBytes + "); closing"));
        close();
      }
    });
    client.handler(frames::feed);
    bridge.handler(client::write);
    client.closeHandler(v -> close());
    bridge.closeHandler(v -> close());
    client.exceptionHandler(e -> close());
    bridge.exceptionHandler(e -> close());
    client.resume();
  }

  /** The client's IP address (as a literal), for the credential's {@code allowCidrs}. */
  String remoteHost() {
    return client.remoteAddress() == null ? null : client.remoteAddress().hostAddress();
  }

  /** Binds the connection to its first credential; later frames must carry the same one. */
  boolean bind(Principal principal) {
    if (subject == null) {
      if (!slots.acquire(principal.subject())) {
        return false;
      }
      subject = principal.subject();
      return true;
    }
    return subject.equals(principal.subject());
  }

  void register(String address) {
    registrations.add(address);
  }

  boolean registered(String address) {
    return address != null && registrations.contains(address);
  }

  private Future<Void> admit(Buffer payload) {
    if (closed) {
      return Future.succeededFuture();
    }
    JsonObject frame;
    try {
      frame = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      refuse(null, ErrorCode.MALFORMED_JSON.exception("a frame must be one JSON object"));
      return Future.succeededFuture();
    }
    return gate.admit(frame, this).transform(ar -> {
      if (closed) {
        return Future.succeededFuture();
      }
      if (ar.succeeded()) {
        FrameHelper.writeFrame(ar.result(), bridge);
      } else {
        refuse(frame, ar.cause());
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Answers a refused frame with an {@code err} frame carrying the failure's code: addressed to the frame's
   * {@code replyAddress} when it had one (so the client's pending request fails), else unaddressed.
   */
  private void refuse(JsonObject frame, Throwable failure) {
    ErrorCode code = ErrorCode.of(failure);
    String message = failure instanceof ReplyException re && re.getMessage() != null ? re.getMessage() : code.slug();
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", code.code()).put("message", message);
    if (frame != null && frame.getValue("replyAddress") instanceof String reply) {
      err.put("address", reply).put("sourceAddress", frame.getValue("address"));
    }
    FrameHelper.writeFrame(err, client);
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (subject != null) {
      slots.release(subject);
    }
    client.close();
    bridge.close();
  }
}
