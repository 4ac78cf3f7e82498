/**
 * Generation: the upstream LLM providers an answer is written by ({@link io.ganglion.generation.ChatProvider};
 * OpenAI-compatible and Anthropic, streaming, with retries, breakers and fallback chains built by
 * {@link io.ganglion.generation.LlmProviders} from the {@code llm} section), the grounded-answer prompt
 * ({@link io.ganglion.generation.CitationPrompt}) and the parser of its {@code [n]} markers
 * ({@link io.ganglion.generation.CitationParser}). The wire formats live in {@code impl/}.
 * <p>
 * Not a verticle: the orchestrator calls it in process, on its own event loop; nothing here blocks. It is the home of
 * anything that speaks to a language model (tool calling included).
 */
package io.ganglion.generation;
