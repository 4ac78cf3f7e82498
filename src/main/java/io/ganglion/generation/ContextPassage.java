package io.ganglion.generation;

/**
 * A retrieved passage as the generator sees it; its position in the list handed to {@link CitationPrompt} is its
 * citation number minus one.
 *
 * @param source where it came from (document title or URI), or {@code null}
 * @param text   the passage text
 */
public record ContextPassage(String source, String text) {
}
