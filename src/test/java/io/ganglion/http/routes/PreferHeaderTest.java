package io.ganglion.http.routes;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The Prefer header of an ingestion (RFC 7240)")
class PreferHeaderTest {

  @Test
  @DisplayName("respond-async asks for a job, alone, among other preferences, with parameters, in any case")
  void respondAsync() {
    assertThat(DocumentRoutes.respondAsync("respond-async")).isTrue();
    assertThat(DocumentRoutes.respondAsync("return=minimal, Respond-Async")).isTrue();
    assertThat(DocumentRoutes.respondAsync(" respond-async ; x=1")).isTrue();
  }

  @Test
  @DisplayName("no header, another preference or a look-alike asks for nothing")
  void otherwise() {
    assertThat(DocumentRoutes.respondAsync(null)).isFalse();
    assertThat(DocumentRoutes.respondAsync("wait=10")).isFalse();
    assertThat(DocumentRoutes.respondAsync("respond-asynchronously")).isFalse();
  }
}
