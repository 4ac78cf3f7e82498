package io.ganglion.orchestration.tools;

import java.util.List;
import java.util.Set;

/**
 * Who a tool call is made for: the run's tenant and credential scopes, and the knowledge bases its agent may search.
 *
 * @param runId     the run making the call (logs)
 * @param scopes    the scopes of the credential that started the run
 * @param kbs       the agent's knowledge bases ({@code kb_search} searches only these)
 * @param timeoutMs what is left of the call's deadline
 */
public record ToolContext(String runId, String tenant, Set<String> scopes, List<String> kbs, long timeoutMs) {

  public ToolContext {
    scopes = Set.copyOf(scopes);
    kbs = List.copyOf(kbs);
  }

  /** Whether the credential holds {@code scope} ({@code admin} holds every scope). */
  public boolean has(String scope) {
    return scopes.contains(scope) || scopes.contains("admin");
  }

  /** Whether the credential may call the tool {@code name}: {@code tools:<name>} or {@code tools:*}. */
  public boolean mayUse(String name) {
    return has("tools:" + name) || has("tools:*");
  }
}
