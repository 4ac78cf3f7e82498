package io.ganglion.http.auth;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4 and IPv6 networks in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is one
 * host), matched with Netty's subnet rules. Only literal addresses are accepted, never host names (no DNS look-up
 * decides who gets in). IPv4 clients seen through an IPv6 socket ({@code ::ffff:10.1.2.3}) match IPv4 networks.
 */
public final class CidrSet {

  private static final CidrSet EMPTY = new CidrSet(List.of(), List.of());

  private final List<IpSubnetFilterRule> rules;
  private final List<String> text;

  private CidrSet(List<IpSubnetFilterRule> rules, List<String> text) {
    this.rules = rules;
    this.text = text;
  }

  public static CidrSet empty() {
    return EMPTY;
  }

  /**
   * Parses {@code cidrs}.
   *
   * @throws IllegalArgumentException naming the first entry that is not an address or network
   */
  public static CidrSet parse(List<String> cidrs) {
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    List<String> text = new ArrayList<>();
    for (String raw : cidrs) {
      String cidr = raw.trim();
      int slash = cidr.indexOf('/');
      String host = slash < 0 ? cidr : cidr.substring(0, slash);
      InetAddress address = literal(host);
      if (address == null) {
        throw new IllegalArgumentException("'" + raw + "' is not an IPv4 or IPv6 address or network (CIDR)");
      }
      int max = address instanceof Inet4Address ? 32 : 128;
      int prefix;
      try {
        prefix = slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + raw + "' has no prefix length after '/'");
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("'" + raw + "': the prefix length must be between 0 and " + max);
      }
      rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
      text.add(NetUtil.toAddressString(address) + "/" + prefix);
    }
    return rules.isEmpty() ? EMPTY : new CidrSet(List.copyOf(rules), List.copyOf(text));
  }

  /** The address of a literal IPv4 or IPv6 string (IPv4-mapped IPv6 as IPv4), or {@code null}. */
  public static InetAddress literal(String host) {
    if (host == null) {
      return null;
    }
    String bare = host.trim();
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    if (!NetUtil.isValidIpV4Address(bare) && !NetUtil.isValidIpV6Address(bare)) {
      return null;
    }
    return unmapped(NetUtil.createInetAddressFromIpAddressString(bare));
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  public boolean contains(InetAddress address) {
    if (address == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(unmapped(address), 0);
    for (IpSubnetFilterRule rule : rules) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  /** The networks, normalised ({@code 10.0.0.0/8}). */
  public List<String> toStrings() {
    return text;
  }

  private static InetAddress unmapped(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
          return address;
        }
      }
    }
    return address;
  }
}
