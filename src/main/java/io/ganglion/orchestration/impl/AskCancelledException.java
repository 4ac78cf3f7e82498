package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The asker went away (client disconnect): the pipeline stops at its next step. */
final class AskCancelledException extends ReplyException {

  AskCancelledException() {
    super(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.UNAVAILABLE.code(), "the ask was cancelled by the caller");
  }
}
