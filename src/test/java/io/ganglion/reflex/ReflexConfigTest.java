package io.ganglion.reflex;

import io.ganglion.config.ConfigException;
import io.ganglion.reflex.pii.PiiAction;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReflexConfigTest {

  @Test
  @DisplayName("an empty or missing object gives the defaults")
  void defaults() {
    assertThat(ReflexConfig.from(null)).isEqualTo(ReflexConfig.defaults());
    ReflexConfig c = ReflexConfig.from(new JsonObject());
    assertThat(c.injectionThreshold()).isEqualTo(0.6);
    assertThat(c.cascade()).isEqualTo(io.ganglion.reflex.injection.CascadeThresholds.DEFAULTS);
    assertThat(c.injectionShadow()).isFalse();
    assertThat(c.phoneRegions()).startsWith("US", "GB", "DE");
    assertThat(c.injectionAction()).isEqualTo(InjectionAction.BLOCK);
    assertThat(c.piiActions().get("email").get(Direction.STORED)).isEqualTo(PiiAction.MASK);
    assertThat(c.piiActions().get("ipv4").get(Direction.INPUT)).isEqualTo(PiiAction.ALLOW);
  }

  @Test
  @DisplayName("actions may be given for all directions at once or per direction")
  void actions() {
    ReflexConfig c = ReflexConfig.from(new JsonObject(
      "{\"pii\":{\"actions\":{\"email\":\"hash\",\"phone\":{\"stored\":\"hash\"},\"default\":\"block\"}}}"));
    assertThat(c.piiActions().get("email")).containsValues(PiiAction.HASH, PiiAction.HASH, PiiAction.HASH);
    assertThat(c.piiActions().get("phone")).containsEntry(Direction.STORED, PiiAction.HASH).hasSize(1);
    assertThat(c.piiFallback()).isEqualTo(PiiAction.BLOCK);
  }

  @Test
  @DisplayName("the injection cascade's bands follow a changed threshold unless given, and overrides parse")
  void injectionSettings() {
    ReflexConfig c = ReflexConfig.from(new JsonObject("{\"injection\":{\"threshold\":0.7,\"shadow\":true,"
      + "\"overrides\":[{\"tenant\":\"acme\",\"kb\":\"sec\",\"threshold\":0.9,\"allow\":[\"ignore previous instructions\"]}]},"
      + "\"pii\":{\"phone\":{\"regions\":[\"de\",\"AT\"],\"leniency\":\"possible\"}}}"));
    assertThat(c.cascade().threshold()).isEqualTo(0.7);
    assertThat(c.cascade().ngramHigh()).isGreaterThanOrEqualTo(0.7);
    assertThat(c.injectionShadow()).isTrue();
    assertThat(c.injectionOverrides()).singleElement().satisfies(o -> {
      assertThat(o.tenant()).isEqualTo("acme");
      assertThat(o.threshold()).isEqualTo(0.9);
      assertThat(o.allow()).hasSize(1);
    });
    assertThat(c.phoneRegions()).containsExactly("DE", "AT");
    assertThat(c.phoneLeniency()).isEqualTo(com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency.POSSIBLE);
    assertThat(c.indirectAction()).isEqualTo(IndirectInjectionPolicy.WITHHOLD);
    assertThat(ReflexConfig.from(new JsonObject("{\"injection\":{\"indirect\":{\"action\":\"STOP\"}}}")).indirectAction())
      .isEqualTo(IndirectInjectionPolicy.STOP);
  }

  @Test
  @DisplayName("every bad value fails with a ConfigException naming its key")
  void badValuesNameTheirKey() {
    assertKey("{\"pii\":{\"actions\":{\"email\":\"shred\"}}}", "reflex.pii.actions.email");
    assertKey("{\"pii\":{\"actions\":{\"email\":{\"sideways\":\"mask\"}}}}", "reflex.pii.actions.email.sideways");
    assertKey("{\"pii\":{\"actions\":{\"shoe_size\":\"mask\"}}}", "reflex.pii.actions.shoe_size");
    assertKey("{\"injection\":{\"threshold\":1.5}}", "reflex.injection.threshold");
    assertKey("{\"injection\":{\"threshold\":\"high\"}}", "reflex.injection.threshold");
    assertKey("{\"injection\":{\"action\":\"explode\"}}", "reflex.injection.action");
    assertKey("{\"injection\":{\"cascade\":{\"ngramHigh\":0.4}}}", "reflex.injection.cascade");
    assertKey("{\"injection\":{\"shadow\":\"yes\"}}", "reflex.injection.shadow");
    assertKey("{\"injection\":{\"overrides\":[{\"threshold\":0.9}]}}", "reflex.injection.overrides[0]");
    assertKey("{\"injection\":{\"overrides\":[{\"kb\":\"x\",\"allow\":[\"(\"]}]}}", "reflex.injection.overrides[0].allow[0]");
    assertKey("{\"injection\":{\"overrides\":[{\"kb\":\"x\",\"treshold\":1}]}}", "reflex.injection.overrides[0].treshold");
    assertKey("{\"pii\":{\"phone\":{\"regions\":[\"DE\",\"XX\"]}}}", "reflex.pii.phone.regions[1]");
    assertKey("{\"pii\":{\"phone\":{\"leniency\":\"loose\"}}}", "reflex.pii.phone.leniency");
    assertKey("{\"injection\":{\"indirect\":{\"action\":\"ignore\"}}}", "reflex.injection.indirect.action");
    assertKey("{\"injection\":{\"directions\":[\"input\",\"up\"]}}", "reflex.injection.directions[1]");
    assertKey("{\"pii\":{\"custom\":[{\"name\":\"x\",\"pattern\":\"(\"}]}}", "reflex.pii.custom[0].pattern");
    assertKey("{\"pii\":{\"custom\":[{\"name\":\"email\",\"pattern\":\"a\"}]}}", "reflex.pii.custom[0].name");
    assertKey("{\"pii\":{\"custom\":{}}}", "reflex.pii.custom");
    assertKey("{\"pii\":{\"enabled\":\"yes\"}}", "reflex.pii.enabled");
  }

  @Test
  @DisplayName("a custom type may be given its own action")
  void customTypeAction() {
    ReflexConfig c = ReflexConfig.from(new JsonObject(
      "{\"pii\":{\"custom\":[{\"name\":\"ticket\",\"pattern\":\"T-\\\\d+\"}],\"actions\":{\"ticket\":\"allow\"}}}"));
    assertThat(c.custom()).singleElement().satisfies(p -> assertThat(p.score()).isEqualTo(0.9));
    assertThat(c.piiActions().get("ticket").get(Direction.INPUT)).isEqualTo(PiiAction.ALLOW);
  }

  private static void assertKey(String json, String key) {
    assertThatThrownBy(() -> ReflexConfig.from(new JsonObject(json)))
      .isInstanceOf(ConfigException.class)
      .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
      .hasMessageStartingWith(key + ": ");
  }
}
