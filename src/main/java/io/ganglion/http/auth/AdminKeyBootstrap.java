package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ApiKeyRepository;
import io.vertx.core.Future;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Makes sure an admin key exists at start. With {@code admin.key} configured, that value is the admin key (an earlier
 * bootstrap key is revoked when it changes). Otherwise a key is generated on first start only, written to
 * {@code dataDir/admin-key} readable by the owner alone, and returned so the launcher can print it once.
 */
public final class AdminKeyBootstrap {

  public static final String NAME = "bootstrap-admin";
  public static final String TENANT = "default";
  public static final String FILE = "admin-key";
  private static final ApiKeyRepository.Grant GRANT =
    new ApiKeyRepository.Grant(TENANT, NAME, List.of(Principal.ADMIN), null, null, null);

  private AdminKeyBootstrap() {
  }

  /** The newly generated key to show once, or empty when nothing new was generated. */
  public static Future<Optional<String>> ensure(ApiKeyRepository keys, String configuredKey, Path dataDir) {
    if (!configuredKey.isEmpty()) {
      return keys.verify(configuredKey).compose(found -> {
        if (found.isPresent() && found.get().revokedAt() == null) {
          return Future.succeededFuture(Optional.<String>empty());
        }
        // insert first, then revoke the earlier bootstrap keys: a node starting at the same moment then never
        // revokes the key another node has just stored
        return keys.insert(GRANT, configuredKey)
          .compose(created -> keys.byName(NAME).compose(old -> Future.all(old.stream()
            .filter(k -> !k.id().equals(created.stored().id()))
            .map(k -> keys.revoke(k.id()))
            .toList())))
          .map(revoked -> Optional.<String>empty())
          .recover(failure -> insertedMeanwhile(keys, configuredKey, failure));
      });
    }
    return keys.byName(NAME).compose(existing -> {
      if (!existing.isEmpty()) {
        return Future.succeededFuture(Optional.<String>empty());
      }
      String key = ApiKeyRepository.newKey();
      return keys.insert(GRANT, key)
        .map(created -> {
          writeOwnerOnly(dataDir.resolve(FILE), key);
          return Optional.of(key);
        });
    });
  }

  /**
   * Nodes sharing one PostgreSQL start together and each inserts the configured key: the one that loses sees a
   * unique violation, which is success once the key is there.
   */
  private static Future<Optional<String>> insertedMeanwhile(ApiKeyRepository keys, String configuredKey,
                                                           Throwable failure) {
    if (ErrorCode.of(failure) != ErrorCode.CONFLICT) {
      return Future.failedFuture(failure);
    }
    return keys.verify(configuredKey).compose(found -> found.isPresent() && found.get().revokedAt() == null
      ? Future.succeededFuture(Optional.<String>empty())
      : Future.failedFuture(failure));
  }

  private static void writeOwnerOnly(Path file, String key) {
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(file, key + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
