package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models loaded at runtime ({@code POST /v1/admin/models}), table {@code runtime_models}: each
 * {@code name@version} with the {@code inference.models} entry it was loaded from. The source of truth for which
 * models a node loads beyond its configuration: written when a load succeeded everywhere, deleted on unload, read by
 * every node as it starts. Failures are coded by {@link PgFailures}.
 */
public final class RuntimeModelRepository {

  private final Pool pool;

  public RuntimeModelRepository(Pool pool) {
    this.pool = pool;
  }

  /** Records {@code ref} as loaded from {@code entry} (a second load of the same ref replaces the entry). */
  public Future<Void> put(String ref, JsonObject entry) {
    return pool.preparedQuery("insert into runtime_models (ref, entry) values ($1, $2) "
        + "on conflict (ref) do update set entry = excluded.entry, loaded_at = now()")
      .execute(Tuple.of(ref, entry))
      .<Void>mapEmpty()
      .recover(PgFailures::coded);
  }

  /** Forgets {@code ref}; true when it was recorded. */
  public Future<Boolean> remove(String ref) {
    return pool.preparedQuery("delete from runtime_models where ref = $1").execute(Tuple.of(ref))
      .map(rows -> rows.rowCount() > 0)
      .recover(PgFailures::coded);
  }

  /** Every recorded model, {@code name@version} → entry, in name order. */
  public Future<Map<String, JsonObject>> all() {
    return pool.query("select ref, entry from runtime_models order by ref").execute()
      .map(rows -> {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (Row row : rows) {
          out.put(row.getString("ref"), row.getJsonObject("entry"));
        }
        return out;
      })
      .recover(PgFailures::coded);
  }
}
