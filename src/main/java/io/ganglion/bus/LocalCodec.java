package io.ganglion.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes a record between verticles of one node by reference: {@link #transform} returns the same instance, nothing
 * is encoded. Only for local hot paths ({@code DeliveryOptions.setLocalOnly(true)}); public contracts carry JSON.
 * <p>
 * The records sent must be immutable (or never touched again by the sender): both sides see the same object.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /**
   * Registers a local codec as the default codec for {@code type} on {@code bus}; idempotent, so both ends of a
   * local address may call it.
   */
  public static synchronized <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // the other end registered it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new IllegalStateException(type.getName() + " is local-only and cannot cross the wire");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new IllegalStateException(type.getName() + " is local-only and cannot cross the wire");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "local:" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
