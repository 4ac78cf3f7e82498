package io.ganglion.reflex.cache;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Knowledge-base version tags the answer cache keys on")
class KbVersionsTest {

  private final AtomicLong now = new AtomicLong(10_000);

  private static JsonObject changed(String version) {
    return new JsonObject().put("tenant", "t").put("kb", "kb").put("createdAt", "2026-01-01T00:00Z").put("version", version);
  }

  private static JsonObject sync(long asOf, String tag) {
    JsonObject kbs = new JsonObject();
    if (tag != null) {
      kbs.put("t/kb", tag);
    }
    return new JsonObject().put("asOf", asOf).put("kbs", kbs);
  }

  @Test
  @DisplayName("on a single node a tag learned from a change event is trusted for ever")
  void singleNode() {
    KbVersions versions = new KbVersions(null, 1000, 0, now::get);
    versions.changed(changed("3"));
    now.addAndGet(3_600_000);
    assertThat(versions.known("t", "kb")).isEqualTo("2026-01-01T00:00Z#3");
  }

  @Test
  @DisplayName("in a cluster a tag is trusted only for the lease after it was confirmed, so a node that missed a change re-reads")
  void lease() {
    KbVersions versions = new KbVersions(null, 1000, 500, now::get);
    versions.changed(changed("3"));
    now.addAndGet(499);
    assertThat(versions.known("t", "kb")).isEqualTo("2026-01-01T00:00Z#3");
    now.addAndGet(1);
    assertThat(versions.known("t", "kb")).as("no confirmation within the lease").isNull();
  }

  @Test
  @DisplayName("a sync confirms a known tag from its asOf, replaces one it contradicts, and forgets a deleted knowledge base")
  void syncs() {
    KbVersions versions = new KbVersions(null, 1000, 500, now::get);
    versions.changed(changed("3"));
    now.addAndGet(800);
    assertThat(versions.known("t", "kb")).isNull();
    versions.confirmed(sync(now.get() - 100, "2026-01-01T00:00Z#3"));
    assertThat(versions.known("t", "kb")).isEqualTo("2026-01-01T00:00Z#3");
    now.addAndGet(399);
    assertThat(versions.known("t", "kb")).isEqualTo("2026-01-01T00:00Z#3");
    now.addAndGet(1);
    assertThat(versions.known("t", "kb")).isNull();

    versions.confirmed(sync(now.get(), "2026-01-01T00:00Z#4"));
    assertThat(versions.known("t", "kb")).as("a change this node was never told of").isEqualTo("2026-01-01T00:00Z#4");
    versions.confirmed(sync(now.get(), null));
    assertThat(versions.known("t", "kb")).isNull();
    assertThat(versions.size()).isZero();
  }

  @Test
  @DisplayName("an old sync never rewinds a fresher confirmation")
  void oldSync() {
    KbVersions versions = new KbVersions(null, 1000, 500, now::get);
    versions.changed(changed("5"));
    versions.confirmed(sync(now.get() - 10_000, "2026-01-01T00:00Z#5"));
    now.addAndGet(300);
    assertThat(versions.known("t", "kb")).isEqualTo("2026-01-01T00:00Z#5");
  }
}
