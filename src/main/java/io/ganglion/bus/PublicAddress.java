package io.ganglion.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * A public address and its node-local twin. Once Vert.x is clustered every {@code consumer(...)} is cluster-wide and
 * requests round-robin over the nodes; a request that arrived on this node must make its internal hops (embed,
 * inspect, search, the ask, {@code /ready}'s checks) on this node. So a verticle registers each public address twice
 * with one handler: {@code ganglion.<verticle>.<action>} for clients and other nodes (cluster-wide, JSON), and
 * {@code ganglion.<verticle>.<action>.local} ({@link Addresses#local}) with {@code localConsumer}, which this node's
 * own callers use and which never leaves the node.
 */
public final class PublicAddress {

  private PublicAddress() {
  }

  /** Registers {@code handler} on {@code address} (cluster-wide) and on its local twin; completes when both are. */
  public static <T> Future<Void> register(EventBus bus, String address, Handler<Message<T>> handler) {
    return Future.all(bus.<T>consumer(address, handler).completion(),
      bus.<T>localConsumer(Addresses.local(address), handler).completion()).mapEmpty();
  }
}
