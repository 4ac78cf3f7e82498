package io.ganglion.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What kind of address an IP is, for the egress guard: public, or one of the non-public ranges an outbound request
 * must not reach unless the operator allows it (loopback, private networks, link-local with the cloud metadata
 * service, and the special-purpose ranges of RFC 6890). IPv6 forms that embed an IPv4 address (mapped
 * {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) are
 * classified by the IPv4 address inside.
 */
public enum AddressClass {
  PUBLIC, LOOPBACK, PRIVATE, LINK_LOCAL, UNSPECIFIED, MULTICAST, RESERVED;

  /** Whether an address of this class may be reached without {@code allowPrivateTargets}. */
  public boolean isPublic() {
    return this == PUBLIC;
  }

  public static AddressClass of(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      Inet4Address embedded = embeddedIpv4(v6.getAddress());
      if (embedded != null) {
        return of(embedded);
      }
    }
    if (address.isLoopbackAddress()) {
      return LOOPBACK;
    }
    if (address.isAnyLocalAddress()) {
      return UNSPECIFIED;
    }
    if (address.isLinkLocalAddress()) {
      return LINK_LOCAL;
    }
    if (address.isMulticastAddress()) {
      return MULTICAST;
    }
    if (address.isSiteLocalAddress()) {
      return PRIVATE;
    }
    byte[] b = address.getAddress();
    return b.length == 4 ? ipv4(b) : ipv6(b);
  }

  private static AddressClass ipv4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 0) {
      return UNSPECIFIED;                             // 0.0.0.0/8 "this network"
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return PRIVATE;                                 // 100.64.0.0/10 carrier-grade NAT
    }
    if (a0 == 192 && a1 == 0 && a2 == 0) {
      return RESERVED;                                // 192.0.0.0/24 IETF protocol assignments
    }
    if (a0 == 198 && (a1 & 0xfe) == 18) {
      return PRIVATE;                                 // 198.18.0.0/15 benchmarking
    }
    if (a0 == 192 && a1 == 0 && a2 == 2 || a0 == 198 && a1 == 51 && a2 == 100 || a0 == 203 && a1 == 0 && a2 == 113) {
      return RESERVED;                                // TEST-NET-1, -2, -3 documentation ranges (RFC 5737)
    }
    if (a0 >= 240) {
      return RESERVED;                                // 240.0.0.0/4 and the broadcast address
    }
    return PUBLIC;
  }

  private static AddressClass ipv6(byte[] b) {
    if ((b[0] & 0xfe) == 0xfc) {
      return PRIVATE;                                 // fc00::/7 unique local
    }
    if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
      return PRIVATE;                                 // fec0::/10 deprecated site-local
    }
    if ((b[0] & 0xff) == 0x01 && b[1] == 0 && allZero(b, 2, 8)) {
      return RESERVED;                                // 100::/64 discard-only
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
      return RESERVED;                                // 2001:db8::/32 documentation
    }
    return PUBLIC;
  }

  /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or {@code null}. */
  private static Inet4Address embeddedIpv4(byte[] b) {
    byte[] v4 = null;
    if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      v4 = new byte[]{b[12], b[13], b[14], b[15]};      // ::ffff:a.b.c.d
    } else if (allZero(b, 0, 12) && !(allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1))) {
      v4 = new byte[]{b[12], b[13], b[14], b[15]};      // ::a.b.c.d (not :: or ::1)
    } else if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
      && allZero(b, 4, 12)) {
      v4 = new byte[]{b[12], b[13], b[14], b[15]};      // 64:ff9b::a.b.c.d
    } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      v4 = new byte[]{b[2], b[3], b[4], b[5]};          // 2002:aabb:ccdd::/48
    }
    if (v4 == null) {
      return null;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(v4);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
