package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys in PostgreSQL. A key is shown in clear only when created; the table keeps a salted SHA-256 of it. Keys are
 * found by {@code lookup} (a short unsalted digest prefix, an index only) and verified against the salted hash in
 * constant time.
 */
public final class ApiKeyRepository {

  /** A stored key's identity and rights (never the key itself). */
  public record StoredKey(String id, String tenant, String name, String displayPrefix, List<String> scopes,
                          Integer rpm, Long tokensPerDay, OffsetDateTime createdAt, OffsetDateTime expiresAt,
                          OffsetDateTime revokedAt, List<String> allowCidrs) {

    public boolean usable(OffsetDateTime now) {
      return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
  }

  /** A key just created: the only time {@code key} exists outside the caller's hands. */
  public record CreatedKey(String key, StoredKey stored) {
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS =
    "id, tenant_id, name, display_prefix, scopes, rpm, tokens_per_day, created_at, expires_at, revoked_at, allow_cidrs";
  private static final java.util.regex.Pattern UUID_SHAPE =
    java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Pool pool;

  public ApiKeyRepository(Pool pool) {
    this.pool = pool;
  }

  /** A new random key: {@code gk_} and 40 URL-safe characters (240 bits). */
  public static String newKey() {
    byte[] bytes = new byte[30];
    RANDOM.nextBytes(bytes);
    return "gk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The row index of {@code key}: 16 hex chars of its SHA-256. */
  public static String lookup(String key) {
    return HexFormat.of().formatHex(sha256(new byte[0], key)).substring(0, 16);
  }

  /** What a new key may do, and from which networks ({@code allowCidrs}, CIDR strings; empty = anywhere). */
  public record Grant(String tenant, String name, List<String> scopes, Integer rpm, Long tokensPerDay,
                      OffsetDateTime expiresAt, List<String> allowCidrs) {

    public Grant(String tenant, String name, List<String> scopes, Integer rpm, Long tokensPerDay, OffsetDateTime expiresAt) {
      this(tenant, name, scopes, rpm, tokensPerDay, expiresAt, List.of());
    }
  }

  /** Stores {@code key} (generated or operator-given) for the grant's tenant, creating the tenant if absent. */
  public Future<CreatedKey> insert(Grant grant, String key) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    String prefix = key.substring(0, Math.min(8, key.length()));
    return pool.withTransaction(conn -> TenantRepository.ensure(conn, grant.tenant())
      .compose(ignored -> conn.preparedQuery(
          "insert into api_keys(tenant_id, name, lookup, display_prefix, salt, hash, scopes, rpm, tokens_per_day, expires_at, "
            + "allow_cidrs) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning " + COLUMNS)
        .execute(Tuple.tuple(List.of(grant.tenant(), grant.name(), lookup(key), prefix,
          io.vertx.core.buffer.Buffer.buffer(salt), io.vertx.core.buffer.Buffer.buffer(sha256(salt, key)),
          grant.scopes().toArray(String[]::new)))
          .addValue(grant.rpm()).addValue(grant.tokensPerDay()).addValue(grant.expiresAt())
          .addValue(grant.allowCidrs().toArray(String[]::new)))))
      .map(rows -> new CreatedKey(key, toStored(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  /** The stored key that {@code key} is, if any (revoked and expired keys included: the caller decides). */
  public Future<Optional<StoredKey>> verify(String key) {
    return pool.preparedQuery("select salt, hash, " + COLUMNS + " from api_keys where lookup = $1")
      .execute(Tuple.of(lookup(key)))
      .map(rows -> {
        for (Row row : rows) {
          byte[] expected = row.getBuffer("hash").getBytes();
          if (MessageDigest.isEqual(expected, sha256(row.getBuffer("salt").getBytes(), key))) {
            return Optional.of(toStored(row));
          }
        }
        return Optional.<StoredKey>empty();
      })
      .recover(PgFailures::coded);
  }

  /** Live keys named {@code name}, newest first. */
  public Future<List<StoredKey>> byName(String name) {
    return pool.preparedQuery("select " + COLUMNS + " from api_keys where name = $1 and revoked_at is null order by created_at desc")
      .execute(Tuple.of(name))
      .map(ApiKeyRepository::toList)
      .recover(PgFailures::coded);
  }

  /**
   * Up to {@code limit} keys of {@code tenant} (all tenants when null), revoked ones included, newest first, after the
   * key {@code afterId} (null: from the newest; an unknown or malformed id: nothing).
   */
  public Future<List<StoredKey>> list(String tenant, String afterId, int limit) {
    if (afterId != null && !UUID_SHAPE.matcher(afterId).matches()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery("select " + COLUMNS + " from api_keys k where ($1::text is null or tenant_id = $1)"
        + " and ($2::uuid is null or (created_at, id) < (select created_at, id from api_keys where id = $2::uuid))"
        + " order by created_at desc, id desc limit $3")
      .execute(Tuple.of(tenant, afterId, limit))
      .map(ApiKeyRepository::toList)
      .recover(PgFailures::coded);
  }

  /** Marks the key revoked; the key if it existed and was live. */
  public Future<Optional<StoredKey>> revoke(String id) {
    if (!UUID_SHAPE.matcher(id).matches()) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("update api_keys set revoked_at = now() where id = $1::uuid and revoked_at is null returning " + COLUMNS)
      .execute(Tuple.of(id))
      .map(rows -> rows.size() == 0 ? Optional.<StoredKey>empty() : Optional.of(toStored(rows.iterator().next())))
      .recover(PgFailures::coded);
  }

  private static List<StoredKey> toList(io.vertx.sqlclient.RowSet<Row> rows) {
    List<StoredKey> keys = new java.util.ArrayList<>();
    rows.forEach(row -> keys.add(toStored(row)));
    return keys;
  }

  private static StoredKey toStored(Row row) {
    return new StoredKey(row.getUUID("id").toString(), row.getString("tenant_id"), row.getString("name"),
      row.getString("display_prefix"), List.of(row.getArrayOfStrings("scopes")), row.getInteger("rpm"),
      row.getLong("tokens_per_day"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("expires_at"),
      row.getOffsetDateTime("revoked_at"), List.of(row.getArrayOfStrings("allow_cidrs")));
  }

  private static byte[] sha256(byte[] salt, String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(salt);
      return digest.digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
