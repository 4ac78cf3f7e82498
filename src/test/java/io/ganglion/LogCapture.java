package io.ganglion;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The messages one class logs while a test runs, so the test can wait for a logged fact (a file was read and
 * rejected) instead of sleeping. Thread-safe: the class may log from any thread.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final Queue<String> messages = new ConcurrentLinkedQueue<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing what {@code type} logs. */
  public static LogCapture of(Class<?> type) {
    LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(type));
    capture.setContext(capture.logger.getLoggerContext());
    capture.start();
    capture.logger.addAppender(capture);
    return capture;
  }

  /** Whether a message logged since the capture started contains {@code text}. */
  public boolean logged(String text) {
    return messages.stream().anyMatch(m -> m.contains(text));
  }

  @Override
  protected void append(ILoggingEvent event) {
    messages.add(event.getFormattedMessage());
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
