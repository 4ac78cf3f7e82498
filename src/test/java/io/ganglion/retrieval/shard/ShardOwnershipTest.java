package io.ganglion.retrieval.shard;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Shard ownership (members, knowledge base, shards, replication → owners)")
class ShardOwnershipTest {

  private static final long SEED = 20_240_612L;

  @Test
  @DisplayName("gives every shard min(replication, members) distinct owners, all of them members")
  void distinctOwners() {
    Random random = new Random(SEED);
    for (int trial = 0; trial < 2000; trial++) {
      List<String> members = members(random, 1 + random.nextInt(9));
      int shards = 1 + random.nextInt(16);
      int replication = 1 + random.nextInt(4);
      List<List<String>> owners = ShardOwnership.owners(members, random.nextInt(1_000_000), shards, replication);

      assertThat(owners).hasSize(shards);
      for (List<String> shardOwners : owners) {
        assertThat(shardOwners).hasSize(Math.min(replication, members.size())).doesNotHaveDuplicates();
        assertThat(members).containsAll(shardOwners);
      }
    }
  }

  @Test
  @DisplayName("balances each knowledge base: members' copy counts differ by at most one")
  void balanced() {
    Random random = new Random(SEED + 1);
    for (int trial = 0; trial < 3000; trial++) {
      List<String> members = members(random, 1 + random.nextInt(9));
      int shards = 1 + random.nextInt(24);
      int replication = 1 + random.nextInt(3);
      Map<String, Integer> load = loads(members, ShardOwnership.owners(members, random.nextInt(1_000_000), shards,
        replication));

      assertThat(Collections.max(load.values()) - Collections.min(load.values()))
        .as("loads %s for %d shards x %d copies", load, shards, replication).isLessThanOrEqualTo(1);
    }
  }

  @Test
  @DisplayName("four shards with two copies over three nodes land 3, 3 and 2: each node holds about replication/N")
  void threeNodes() {
    List<String> members = List.of("node-1", "node-2", "node-3");
    for (long kb = 1; kb <= 50; kb++) {
      assertThat(loads(members, ShardOwnership.owners(members, kb, 4, 2)).values())
        .containsExactlyInAnyOrder(3, 3, 2);
    }
  }

  @Test
  @DisplayName("depends only on the set of member ids: any order gives the same owners, so a restarted node gets its shards back")
  void orderFree() {
    Random random = new Random(SEED + 2);
    List<String> members = members(random, 5);
    List<List<String>> expected = ShardOwnership.owners(members, 42, 8, 2);
    for (int i = 0; i < 20; i++) {
      List<String> shuffled = new ArrayList<>(members);
      Collections.shuffle(shuffled, random);
      assertThat(ShardOwnership.owners(shuffled, 42, 8, 2)).isEqualTo(expected);
    }
    assertThat(ShardOwnership.owners(List.of("a", "b", "c"), 42, 8, 2))
      .isEqualTo(ShardOwnership.owners(List.of("c", "a", "b", "a"), 42, 8, 2));
  }

  @Test
  @DisplayName("spreads different knowledge bases differently (the knowledge base is part of the hash)")
  void perKnowledgeBase() {
    List<String> members = List.of("node-1", "node-2", "node-3", "node-4");
    Set<List<List<String>>> layouts = new HashSet<>();
    for (long kb = 1; kb <= 20; kb++) {
      layouts.add(ShardOwnership.owners(members, kb, 4, 1));
    }
    assertThat(layouts).hasSizeGreaterThan(10);
  }

  @Test
  @DisplayName("when a member leaves, the survivors keep nearly all their copies: mostly the leaver's copies move")
  void stableWhenAMemberLeaves() {
    Random random = new Random(SEED + 3);
    int leaverCopies = 0;
    int survivorCopiesMoved = 0;
    for (int trial = 0; trial < 1000; trial++) {
      List<String> members = members(random, 3 + random.nextInt(6));
      int shards = 4 + random.nextInt(12);
      long kb = random.nextInt(1_000_000);
      List<List<String>> before = ShardOwnership.owners(members, kb, shards, 2);
      String leaver = members.get(random.nextInt(members.size()));
      List<String> rest = new ArrayList<>(members);
      rest.remove(leaver);
      List<List<String>> after = ShardOwnership.owners(rest, kb, shards, 2);
      for (int s = 0; s < shards; s++) {
        leaverCopies += before.get(s).contains(leaver) ? 1 : 0;
        for (String kept : before.get(s)) {
          if (!kept.equals(leaver) && !after.get(s).contains(kept)) {
            survivorCopiesMoved++;
          }
        }
      }
    }
    // plain rendezvous hashing would move none; balancing costs some, but far fewer than the leaver's own
    assertThat(survivorCopiesMoved).isLessThan(leaverCopies / 3);
  }

  @Test
  @DisplayName("a single member owns every shard once; no member owns nothing")
  void edgeCases() {
    assertThat(ShardOwnership.owners(List.of("solo"), 7, 4, 2)).containsOnly(List.of("solo"));
    assertThat(ShardOwnership.owners(List.of(), 7, 3, 2)).containsExactly(List.of(), List.of(), List.of());
    assertThat(ShardOwnership.ownedBy("solo", List.of("solo"), 7, 4, 2)).containsExactly(0, 1, 2, 3);
    assertThat(ShardOwnership.owners(List.of("a", "b"), 7, 4, 2, 3)).containsExactlyInAnyOrder("a", "b");
    assertThatThrownBy(() -> ShardOwnership.owners(List.of("a"), 7, 0, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> members(Random random, int n) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add("node-" + random.nextInt(10_000) + "-" + i);
    }
    return members;
  }

  private static Map<String, Integer> loads(List<String> members, List<List<String>> owners) {
    Map<String, Integer> load = new HashMap<>();
    members.forEach(m -> load.put(m, 0));
    owners.forEach(o -> o.forEach(m -> load.merge(m, 1, Integer::sum)));
    return load;
  }
}
