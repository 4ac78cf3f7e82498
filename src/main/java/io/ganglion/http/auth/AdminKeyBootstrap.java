package io.ganglion.http.auth;

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
        return keys.byName(NAME)
          .compose(old -> Future.all(old.stream().map(k -> keys.revoke(k.id())).toList()))
          .compose(revoked -> keys.insert(GRANT, configuredKey))
          .map(created -> Optional.<String>empty());
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
