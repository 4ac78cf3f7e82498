package io.ganglion.orchestration.agents.impl;

import io.ganglion.config.LimitsConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Budgets reserved before a model step and settled after it, atomically in Redis, so concurrent runs (on any node)
 * cannot overshoot a shared budget: one script checks every counter the step touches — the run's tokens and cost,
 * the credential's tokens for the UTC day (the same counter {@code /ask} and chat completions charge) — and adds the
 * step's reservation (prompt estimate plus {@code max_tokens}, and their cost) to all of them only if none would pass
 * its limit. Settling adds the difference between what was used and what was reserved.
 * <p>
 * When Redis is down: a step with a cost budget is refused (cost budgets fail closed); token budgets fall back to the
 * run's own count on this node, logged (as the daily token budget of {@code /ask} does).
 */
final class Budgets {

  private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);

  /** Returns 0 and adds every amount, or the 1-based index of the first counter that would pass its limit. */
  private static final String RESERVE = """
    local n = #KEYS
    for i = 1, n do
      local used = tonumber(redis.call('GET', KEYS[i]) or '0')
      if used + tonumber(ARGV[2 * i]) > tonumber(ARGV[2 * i - 1]) then return i end
    end
    for i = 1, n do
      redis.call('INCRBY', KEYS[i], ARGV[2 * i])
      redis.call('EXPIRE', KEYS[i], ARGV[2 * n + 1])
    end
    return 0
    """;
  private static final String SETTLE = """
    for i = 1, #KEYS do
      redis.call('INCRBY', KEYS[i], ARGV[i])
    end
    return 0
    """;
  private static final long TTL_SECONDS = 2 * 86_400;
  static final long MICRO_USD = 1_000_000;

  /** One counter a step touches. */
  record Counter(String key, String what, long limit, long amount) {
  }

  /** What a step reserved; {@code held} is false when Redis was down and nothing is held there. */
  record Reservation(List<Counter> counters, boolean held) {
  }

  /** The step may not run: {@code what} would pass its limit. */
  static final class Exceeded extends RuntimeException {
    final String what;

    Exceeded(String what) {
      super("the " + what + " budget would be exceeded", null, false, false);
      this.what = what;
    }
  }

  /** A cost budget could not be checked: the step is refused. */
  static final class FailedClosed extends RuntimeException {
    FailedClosed(Throwable cause) {
      super("the cost budget cannot be checked (Redis unavailable: " + cause.getMessage() + "), so the step did not run",
        null, false, false);
    }
  }

  private final Redis redis;
  private final LimitsConfig limits;
  private final long timeoutMs;

  Budgets(Redis redis, LimitsConfig limits, long timeoutMs) {
    this.redis = redis;
    this.limits = limits;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Reserves a step of {@code tokens} costing {@code costUsd}.
   *
   * @return the reservation; fails with {@link Exceeded} or {@link FailedClosed}
   */
  Future<Reservation> reserve(RunState run, long tokens, double costUsd) {
    List<Counter> counters = counters(run, tokens, costUsd);
    if (counters.isEmpty()) {
      return Future.succeededFuture(new Reservation(List.of(), false));
    }
    Request eval = Request.cmd(Command.EVAL).arg(RESERVE).arg(counters.size());
    counters.forEach(c -> eval.arg(c.key()));
    counters.forEach(c -> eval.arg(c.limit()).arg(c.amount()));
    eval.arg(TTL_SECONDS);
    return redis.send(eval).timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(failure -> {
        if (counters.stream().anyMatch(c -> c.what().endsWith("cost"))) {
          return Future.failedFuture(new FailedClosed(failure));
        }
        LOG.warn("run {}: token budgets checked on this node only, Redis unavailable: {}", run.id, failure.getMessage());
        return Future.succeededFuture(null);
      })
      .compose(reply -> {
        if (reply == null) {
          return localCheck(run, tokens);
        }
        int refused = reply.toInteger();
        return refused == 0 ? Future.succeededFuture(new Reservation(counters, true))
          : Future.failedFuture(new Exceeded(counters.get(refused - 1).what()));
      });
  }

  /** Replaces the reservation with what the step used (fire and forget; a failure is logged). */
  Future<Void> settle(Reservation reservation, long tokens, double costUsd) {
    if (!reservation.held()) {
      return Future.succeededFuture();
    }
    Request eval = Request.cmd(Command.EVAL).arg(SETTLE).arg(reservation.counters().size());
    reservation.counters().forEach(c -> eval.arg(c.key()));
    for (Counter c : reservation.counters()) {
      long used = c.what().endsWith("cost") ? Math.round(costUsd * MICRO_USD) : tokens;
      eval.arg(used - c.amount());
    }
    return redis.send(eval).timeout(timeoutMs, TimeUnit.MILLISECONDS).<Void>mapEmpty()
      .onFailure(e -> LOG.warn("budget of a step not settled, Redis unavailable: {}", e.getMessage()));
  }

  private List<Counter> counters(RunState run, long tokens, double costUsd) {
    List<Counter> counters = new ArrayList<>();
    var budget = run.agent.budget();
    if (budget.tokens() > 0) {
      counters.add(new Counter("ganglion:run:" + run.id + ":tokens", "run's token", budget.tokens(), tokens));
    }
    if (budget.costUsd() > 0) {
      counters.add(new Counter("ganglion:run:" + run.id + ":cost", "run's cost",
        Math.round(budget.costUsd() * MICRO_USD), Math.round(costUsd * MICRO_USD)));
    }
    long perDay = run.principal.getValue("tokensPerDay") instanceof Number n ? n.longValue() : limits.defaultTokensPerDay();
    if (perDay > 0) {
      // the counter of http.limits.TokenBudget, so answers and runs share one daily budget
      counters.add(new Counter("ganglion:tpd:" + run.principal.getString("subject") + ":" + LocalDate.now(ZoneOffset.UTC),
        "credential's daily token", perDay, tokens));
    }
    return counters;
  }

  private static Future<Reservation> localCheck(RunState run, long tokens) {
    long limit = run.agent.budget().tokens();
    long used = run.totals().promptTokens + run.totals().completionTokens;
    return limit > 0 && used + tokens > limit ? Future.failedFuture(new Exceeded("run's token"))
      : Future.succeededFuture(new Reservation(List.of(), false));
  }
}
