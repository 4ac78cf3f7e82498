package io.ganglion.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * The grounded-answer prompt: a system prompt that confines the model to the numbered context and asks for
 * {@code [n]} citations, and the user turn that renders the context passages, numbered from 1, before the question.
 * {@link CitationParser} maps the reply's markers back to the same passage list.
 */
public final class CitationPrompt {

  /** The system prompt; it names the exact marker syntax the parser reads. */
  public static final String SYSTEM_PROMPT = """
    You answer questions using only the numbered context passages provided by the user.
    Cite every statement with the number of the passage that supports it in square brackets, like [1] or [2, 3].
    Do not use outside knowledge. If the passages do not contain the answer, say that you cannot answer from the \
    provided documents, and do not cite anything.
    Answer in the language of the question, concisely.""";

  private CitationPrompt() {
  }

  /** The context block: {@code [1] (source) text}, passages separated by a blank line. */
  public static String renderContext(List<ContextPassage> passages) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < passages.size(); i++) {
      ContextPassage passage = passages.get(i);
      if (i > 0) {
        out.append("\n\n");
      }
      out.append('[').append(i + 1).append("] ");
      if (passage.source() != null && !passage.source().isBlank()) {
        out.append('(').append(passage.source().strip()).append(") ");
      }
      // a passage's own "[n]" would be mistaken for a citation marker: quote the brackets away
      out.append(passage.text().strip().replace('[', '(').replace(']', ')'));
    }
    return out.toString();
  }

  /** The user turn: the rendered context, then the question. */
  public static String userMessage(String question, List<ContextPassage> passages) {
    return "Context:\n" + renderContext(passages) + "\n\nQuestion: " + question.strip();
  }

  /** A ready request: {@link #SYSTEM_PROMPT} and {@link #userMessage}, with the provider's defaults otherwise. */
  public static ChatRequest request(String question, List<ContextPassage> passages) {
    return request(question, List.of(), passages);
  }

  /**
   * A ready request for a follow-up: the earlier turns of the conversation (oldest first) before the
   * context-bearing question, so the model reads the history without citing it.
   */
  public static ChatRequest request(String question, List<ChatMessage> history, List<ContextPassage> passages) {
    List<ChatMessage> messages = new ArrayList<>(history);
    messages.add(ChatMessage.user(userMessage(question, passages)));
    return new ChatRequest(SYSTEM_PROMPT, messages, 0, null, List.of(), null);
  }
}
