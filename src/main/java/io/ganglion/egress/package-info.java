/**
 * Outbound requests to addresses that tenants or models choose: one guard ({@link io.ganglion.egress.EgressGuard})
 * that every such request goes through (the agents' {@code http_fetch} tool, webhooks).
 */
package io.ganglion.egress;
