package io.ganglion.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An operating-system lock on {@code dataDir/ganglion.lock}, held for the server's lifetime, so a second server on the
 * same data directory is refused before it touches the embedded stores or snapshots. The lock (not the file, which
 * stays behind) is what counts: the OS drops it when its process dies, however it dies, so a crash never leaves the
 * directory locked. The file holds the owner's pid for the refusal message.
 */
final class DataDirectoryLock implements AutoCloseable {

  static final String FILE = "ganglion.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock without waiting.
   *
   * @throws DataDirectoryInUseException when another server (in this process or another) holds it
   */
  static DataDirectoryLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
      StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another server in this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String owner = owner(channel);
      channel.close();
      throw new DataDirectoryInUseException(dataDir, owner);
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    channel.force(false);
    return new DataDirectoryLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    try (channel) {
      lock.release();
    }
  }

  private static String owner(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
      return pid.matches("\\d+") ? pid : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Another server holds the data directory: the launcher exits with its own code ({@link Main#EXIT_DATA_DIR_IN_USE}). */
  static final class DataDirectoryInUseException extends RuntimeException {

    DataDirectoryInUseException(Path dataDir, String ownerPid) {
      super("data directory " + dataDir + " is in use by another Ganglion"
        + (ownerPid.isEmpty() ? "" : " (pid " + ownerPid + ")")
        + "; stop that server first, or give this one its own --dataDir");
    }
  }
}
