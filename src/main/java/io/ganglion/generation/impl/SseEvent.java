package io.ganglion.generation.impl;

/**
 * One Server-Sent Event as dispatched by {@link SseParser}.
 *
 * @param event the {@code event:} field, or {@code "message"} when absent (the SSE default)
 * @param data  the {@code data:} lines joined with {@code \n}
 */
public record SseEvent(String event, String data) {
}
