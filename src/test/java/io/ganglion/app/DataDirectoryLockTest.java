package io.ganglion.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The data directory lock")
class DataDirectoryLockTest {

  @Test
  @DisplayName("refuses a second holder with a message naming the directory and the owner's pid, until released")
  void refusesSecondHolder(@TempDir Path dataDir) throws Exception {
    try (DataDirectoryLock first = DataDirectoryLock.acquire(dataDir)) {
      assertThatThrownBy(() -> DataDirectoryLock.acquire(dataDir))
        .isInstanceOf(DataDirectoryLock.DataDirectoryInUseException.class)
        .hasMessageContaining(dataDir.toString())
        .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
    DataDirectoryLock.acquire(dataDir).close();
  }

  @Test
  @DisplayName("is the OS lock, not the file: a lock file left behind by a dead process does not refuse a start")
  void leftoverFileIsNoLock(@TempDir Path dataDir) throws Exception {
    Files.writeString(dataDir.resolve(DataDirectoryLock.FILE), "12345\n");
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir)) {
      assertThat(Files.readString(dataDir.resolve(DataDirectoryLock.FILE)).trim())
        .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
  }
}
