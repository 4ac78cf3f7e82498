package io.ganglion.retrieval.shard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which members own the shards of a knowledge base: a pure function of (member ids, knowledge base, shard count,
 * replication), computed the same way on every node, so no node ever has to be told who owns what.
 * <p>
 * Each (shard, member) pair gets a rendezvous weight, a hash of the member id, the knowledge base and the shard
 * (highest-random-weight hashing): a shard prefers the members that weigh most for it, and when a member leaves only
 * its copies need new homes. Pure rendezvous hashing is balanced on average but not for one small knowledge base
 * (four shards over three members may land four, four and none), so pairs are taken heaviest first under a load cap:
 * first every member may take {@code floor(shards * copies / members)} copies, then the members that weigh most for
 * the remaining copies one more each, as many as the division leaves over; a copy no member with room may take
 * (they all hold that shard already) is placed by one swap. Each shard gets {@code min(replication, members)} owners,
 * never two copies on one member, and members' loads end within one copy of each other (the fallback that would
 * break this is for cases the swap cannot solve; {@code ShardOwnershipTest} finds none over thousands of layouts).
 * <p>
 * Stateless and thread-safe; cheap enough to run for every knowledge base on every membership change.
 */
public final class ShardOwnership {

  private ShardOwnership() {
  }

  /**
   * The owners of every shard of knowledge base {@code kbId}: {@code owners.get(s)} lists the member ids that should
   * hold shard {@code s}, in the order they were chosen. An empty member set owns nothing (every list is empty).
   *
   * @param members     the ids of the members that take shards ({@code cluster.nodeId}); order does not matter
   * @param replication the copies wanted of each shard; fewer when there are fewer members
   */
  public static List<List<String>> owners(Collection<String> members, long kbId, int shards, int replication) {
    if (shards < 1 || replication < 1) {
      throw new IllegalArgumentException("shards and replication must be at least 1, got " + shards + ", " + replication);
    }
    List<String> ids = List.copyOf(new TreeSet<>(members));
    List<List<String>> owners = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      owners.add(new ArrayList<>());
    }
    if (ids.isEmpty()) {
      return freeze(owners);
    }
    int copies = Math.min(replication, ids.size());
    long[][] weights = new long[shards][ids.size()];
    List<Pair> pairs = new ArrayList<>(shards * ids.size());
    for (int s = 0; s < shards; s++) {
      for (int m = 0; m < ids.size(); m++) {
        weights[s][m] = weight(ids.get(m), kbId, s);
        pairs.add(new Pair(s, ids.get(m), weights[s][m]));
      }
    }
    pairs.sort(Pair.HEAVIEST_FIRST);
    Loads loads = new Loads(shards * copies, ids.size());
    assign(pairs, owners, loads, copies, false);
    assign(pairs, owners, loads, copies, true);
    repair(ids, weights, owners, loads, copies);
    // a copy not even a swap could place: the heaviest member without it takes it anyway
    for (Pair p : pairs) {
      if (owners.get(p.shard).size() < copies && !owners.get(p.shard).contains(p.member)) {
        owners.get(p.shard).add(p.member);
        loads.add(p.member);
      }
    }
    return freeze(owners);
  }

  /** The owners of one shard; see {@link #owners(Collection, long, int, int)}. */
  public static List<String> owners(Collection<String> members, long kbId, int shards, int replication, int shard) {
    return owners(members, kbId, shards, replication).get(shard);
  }

  /** The shards of knowledge base {@code kbId} that {@code member} owns, ascending. */
  public static Set<Integer> ownedBy(String member, Collection<String> members, long kbId, int shards, int replication) {
    Set<Integer> owned = new LinkedHashSet<>();
    List<List<String>> all = owners(members, kbId, shards, replication);
    for (int s = 0; s < all.size(); s++) {
      if (all.get(s).contains(member)) {
        owned.add(s);
      }
    }
    return owned;
  }

  private static void assign(List<Pair> pairs, List<List<String>> owners, Loads loads, int copies, boolean extra) {
    for (Pair p : pairs) {
      List<String> shardOwners = owners.get(p.shard);
      if (shardOwners.size() < copies && loads.hasRoom(p.member, extra) && !shardOwners.contains(p.member)) {
        shardOwners.add(p.member);
        loads.add(p.member);
      }
    }
  }

  /**
   * Places copies the capped passes left over. They are left over when every member with room already holds that
   * shard: then a full member {@code m} takes the copy and hands one of its other shards {@code t} to a member with
   * room that lacks {@code t} (one swap keeps every load under the cap). Heaviest choices first, so the result stays
   * close to plain rendezvous hashing.
   */
  private static void repair(List<String> ids, long[][] weights, List<List<String>> owners, Loads loads, int copies) {
    for (int s = 0; s < owners.size(); s++) {
      if (owners.get(s).size() >= copies) {
        continue;
      }
      int shard = s;
      List<String> takers = ids.stream().filter(m -> !owners.get(shard).contains(m))
        .sorted(Comparator.comparingLong((String m) -> weights[shard][ids.indexOf(m)]).reversed()).toList();
      for (String m : takers) {
        if (owners.get(shard).size() >= copies) {
          break;
        }
        Swap best = null;
        for (int t = 0; t < owners.size(); t++) {
          if (t == shard || !owners.get(t).contains(m)) {
            continue;
          }
          for (int ci = 0; ci < ids.size(); ci++) {
            String c = ids.get(ci);
            if (loads.hasRoom(c, true) && !owners.get(t).contains(c)) {
              long w = weights[t][ci];
              if (best == null || w > best.weight) {
                best = new Swap(t, c, w);
              }
            }
          }
        }
        if (best != null) {
          List<String> moved = owners.get(best.shard);
          moved.set(moved.indexOf(m), best.member);
          loads.add(best.member);
          owners.get(shard).add(m);
        }
      }
    }
  }

  private record Swap(int shard, String member, long weight) {
  }

  /**
   * Copies per member so far, and the cap: {@code floor(total / members)} each, and one more for as many members as
   * the division leaves over ({@code total % members}), so loads end within one copy of each other.
   */
  private static final class Loads {
    private final Map<String, Integer> load = new HashMap<>();
    private final int floor;
    private int extraLeft;

    Loads(int total, int members) {
      this.floor = total / members;
      this.extraLeft = total % members;
    }

    boolean hasRoom(String member, boolean extra) {
      int current = load.getOrDefault(member, 0);
      return current < floor || (extra && current == floor && extraLeft > 0);
    }

    void add(String member) {
      int current = load.merge(member, 1, Integer::sum);
      if (current == floor + 1) {
        extraLeft--;
      }
    }
  }

  private static List<List<String>> freeze(List<List<String>> owners) {
    List<List<String>> out = new ArrayList<>(owners.size());
    for (List<String> o : owners) {
      out.add(List.copyOf(o));
    }
    return List.copyOf(out);
  }

  /**
   * The rendezvous weight of (member, knowledge base, shard): the first 8 bytes of SHA-256 over the three. A
   * cryptographic hash is more than needed, but it is evenly spread for any ids and is the same in every JVM forever;
   * it runs only when membership or the set of knowledge bases changes.
   */
  static long weight(String member, long kbId, int shard) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(member.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(ByteBuffer.allocate(12).putLong(kbId).putInt(shard).array());
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private record Pair(int shard, String member, long weight) {
    static final Comparator<Pair> HEAVIEST_FIRST = Comparator.comparingLong(Pair::weight).reversed()
      .thenComparing(Pair::member).thenComparingInt(Pair::shard);
  }
}
