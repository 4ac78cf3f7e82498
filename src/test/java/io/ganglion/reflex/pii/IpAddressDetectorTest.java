package io.ganglion.reflex.pii;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IpAddressDetectorTest {

  private final IpAddressDetector detector = new IpAddressDetector();

  @Test
  @DisplayName("IPv4 and IPv6 addresses are found and typed")
  void findsAddresses() {
    String text = "hosts 192.168.1.10, 2001:db8::8a2e:370:7334 and ::1. Also fe80:0:0:0:0:0:0:1 and ::ffff:10.0.0.1";
    assertThat(Detect.findings(detector, text)).extracting(Finding::type, f -> text.substring(f.start(), f.end()))
      .containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV4, "192.168.1.10"),
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV6, "2001:db8::8a2e:370:7334"),
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV6, "::1"),
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV6, "fe80:0:0:0:0:0:0:1"),
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV6, "::ffff:10.0.0.1"),
        org.assertj.core.groups.Tuple.tuple(PiiTypes.IPV4, "10.0.0.1"));
  }

  @Test
  @DisplayName("out-of-range octets, longer dotted runs, times, MAC addresses and C++ scopes are not addresses")
  void rejectsLookalikes() {
    assertThat(Detect.matches(detector,
      "256.1.1.1 1.2.3.4.5 at 12:30:45, mac 00:1A:2B:3C:4D:5E, std::vector a::b 1:2:3:4:5:6:7:8:9")).isEmpty();
  }
}
