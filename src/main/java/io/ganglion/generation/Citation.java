package io.ganglion.generation;

/**
 * One passage a reply cites.
 *
 * @param number  the 1-based number used in the reply's {@code [n]} marker
 * @param passage the passage at that position of the list the prompt rendered
 * @param <T>     the caller's passage type
 */
public record Citation<T>(int number, T passage) {
}
