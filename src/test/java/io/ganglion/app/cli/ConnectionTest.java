package io.ganglion.app.cli;

import io.ganglion.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

@DisplayName("Where the CLI takes its key from")
class ConnectionTest {

  @Test
  @DisplayName("--key wins over GANGLION_CLI_KEY, which wins over the local key file")
  void precedence() {
    Connection connection = new Connection();
    connection.url = Connection.LOCAL_URL;
    connection.key = "from-option";
    assertThat(connection.resolveKey(Map.of(Connection.KEY_ENV, "from-env"))).isEqualTo("from-option");
    connection.key = null;
    assertThat(connection.resolveKey(Map.of(Connection.KEY_ENV, "from-env"))).isEqualTo("from-env");
  }

  @Test
  @DisplayName("never reads ./data/admin-key for a server other than the local default")
  void localKeyOnlyForLocalServer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Connection connection = new Connection();
    connection.localKeyFile = dir.resolve("admin-key");
    java.nio.file.Files.writeString(connection.localKeyFile, "local-admin-key\n");
    connection.url = "https://ganglion.example.com";
    assertThat(connection.resolveKey(Map.of())).isNull();
    connection.url = Connection.LOCAL_URL + "/";
    assertThat(connection.resolveKey(Map.of())).isEqualTo("local-admin-key");
  }

  @Test
  @DisplayName("the server's configuration ignores GANGLION_CLI_KEY")
  void serverIgnoresCliKey() {
    assertThatCode(() -> ConfigLoader.load(List.of(), Map.of(Connection.KEY_ENV, "anything"))).doesNotThrowAnyException();
  }
}
