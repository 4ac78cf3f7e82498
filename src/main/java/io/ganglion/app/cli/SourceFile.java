package io.ganglion.app.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A file to ingest: its document id (its path below the directory given, separators as {@code :}, other characters
 * the server does not allow as {@code _}), its content type by extension, and its size.
 */
record SourceFile(Path path, String id, String contentType, long bytes) {

  static String documentId(Path relative) {
    String joined = String.join(":", java.util.stream.StreamSupport.stream(relative.spliterator(), false)
      .map(Path::toString).toList());
    String id = joined.replaceAll("[^A-Za-z0-9._:@~+=-]", "_").replaceFirst("^[^A-Za-z0-9]+", "");
    return id.isEmpty() ? "file" : id.substring(Math.max(0, id.length() - 200));
  }

  /** The content type the server parses for this file name, or null when it reads no such files. */
  static String contentType(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".txt") || name.endsWith(".text")) {
      return "text/plain";
    }
    if (name.endsWith(".md") || name.endsWith(".markdown")) {
      return "text/markdown";
    }
    if (name.endsWith(".html") || name.endsWith(".htm")) {
      return "text/html";
    }
    return name.endsWith(".pdf") ? "application/pdf" : null;
  }

  /** The bytes the upload carries once base64-encoded. */
  long encodedBytes() {
    return 4 * ((bytes + 2) / 3);
  }

  byte[] read() {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
