package io.ganglion;

import io.ganglion.bus.RequestIds;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registers the request-id context local before any test creates a Vert.x instance (autodetected via
 * META-INF/services): a Vert.x created earlier would have no slot for it.
 */
public final class RequestIdsFirst implements BeforeAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    RequestIds.init();
  }
}
