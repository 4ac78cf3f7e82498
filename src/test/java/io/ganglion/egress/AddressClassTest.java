package io.ganglion.egress;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Address classes of the egress guard")
class AddressClassTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "127.0.0.1, LOOPBACK", "127.8.9.10, LOOPBACK", "::1, LOOPBACK",
    "10.1.2.3, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
    "100.64.0.1, PRIVATE", "198.18.0.1, PRIVATE", "fd00::2, PRIVATE", "fc12:3456::1, PRIVATE",
    "169.254.169.254, LINK_LOCAL", "fe80::1, LINK_LOCAL",
    "0.0.0.0, UNSPECIFIED", "0.1.2.3, UNSPECIFIED", "::, UNSPECIFIED",
    "224.0.0.1, MULTICAST", "ff02::1, MULTICAST", "240.0.0.1, RESERVED", "255.255.255.255, RESERVED",
    "192.0.2.7, RESERVED", "198.51.100.1, RESERVED", "203.0.113.9, RESERVED", "192.0.3.1, PUBLIC",
    "::ffff:127.0.0.1, LOOPBACK", "::ffff:10.0.0.1, PRIVATE", "64:ff9b::a9fe:a9fe, LINK_LOCAL",
    "2002:7f00:1::, LOOPBACK", "::7f00:1, LOOPBACK",
    "93.184.216.34, PUBLIC", "8.8.8.8, PUBLIC", "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC",
    "2606:4700:4700::1111, PUBLIC", "::ffff:8.8.8.8, PUBLIC"
  })
  void classifies(String address, AddressClass expected) throws Exception {
    assertThat(AddressClass.of(InetAddress.getByName(address))).isEqualTo(expected);
  }
}
