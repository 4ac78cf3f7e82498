package io.ganglion.orchestration.tools;

import io.ganglion.orchestration.tools.builtin.ExecTool;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The exec tool under real bubblewrap (installed by .ci/run through .ci/debian-packages). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The sandboxed exec tool")
class ExecToolTest {

  private static final ToolContext CONTEXT = new ToolContext("test", "default", Set.of("tools:exec"), List.of(), 10_000);

  private static ToolsConfig.Exec config(String bwrap, long timeoutMs) {
    return new ToolsConfig.Exec(true, List.of("/usr/bin/env", "/usr/bin/cat", "/usr/bin/touch", "/usr/bin/sleep",
      "/usr/bin/ls", "/usr/bin/wc"), bwrap, timeoutMs, 5, 256, 65_536);
  }

  private static JsonObject run(ExecTool tool, String program, String... args) {
    ToolResult result = tool.call(new JsonObject().put("program", program).put("args", new JsonArray(List.of(args))),
      CONTEXT).await();
    return new JsonObject(result.text());
  }

  @Test
  @DisplayName("refuses to enable where bubblewrap cannot isolate a process, saying why")
  void refusesWithoutIsolation(Vertx vertx) {
    Throwable refused = catchThrowable(() -> ExecTool.create(vertx, config("/nonexistent/bwrap", 5_000)).await());

    assertThat(refused).hasMessageContaining("/nonexistent/bwrap is not an executable");
  }

  @Test
  @DisplayName("runs a program with an empty environment, no network but loopback, a read-only /usr and no /etc")
  void isolates(Vertx vertx) {
    ExecTool tool = ExecTool.create(vertx, config("/usr/bin/bwrap", 5_000)).await();

    JsonObject env = run(tool, "/usr/bin/env");
    JsonObject net = run(tool, "/usr/bin/cat", "/proc/net/dev");
    JsonObject write = run(tool, "/usr/bin/touch", "/usr/planted");
    JsonObject etc = run(tool, "/usr/bin/ls", "/etc");
    JsonObject scratch = run(tool, "/usr/bin/touch", "/tmp/scratch");
    JsonObject stdin = new JsonObject(tool.call(new JsonObject().put("program", "/usr/bin/wc").put("args",
      new JsonArray().add("-c")).put("stdin", "12345"), CONTEXT).await().text());

    assertThat(env.getInteger("exitCode")).isZero();
    assertThat(env.getString("stdout")).isEmpty();
    assertThat(net.getString("stdout")).contains("lo:").doesNotContain("eth0");
    assertThat(net.getString("stdout").lines().filter(l -> l.contains(":")).count()).isEqualTo(1);
    assertThat(write.getInteger("exitCode")).isNotZero();
    assertThat(write.getString("stderr")).contains("Read-only file system");
    assertThat(etc.getInteger("exitCode")).isNotZero();
    assertThat(scratch.getInteger("exitCode")).isZero();
    assertThat(stdin.getString("stdout").strip()).isEqualTo("5");
  }

  @Test
  @DisplayName("kills a program that outlives its time limit")
  void timeLimit(Vertx vertx) {
    ExecTool tool = ExecTool.create(vertx, config("/usr/bin/bwrap", 300)).await();

    JsonObject slept = run(tool, "/usr/bin/sleep", "30");

    assertThat(slept.getBoolean("timedOut")).isTrue();
    assertThat(slept.getInteger("exitCode")).isEqualTo(-1);
  }
}
