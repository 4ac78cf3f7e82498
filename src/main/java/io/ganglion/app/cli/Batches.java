package io.ganglion.app.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits files into upload requests within the server's limits: at most {@code maxDocuments} per request and
 * {@code maxBodyBytes} of encoded content; a file over {@code maxFileBytes}, or too large for any request, is
 * recorded as failed instead of sent.
 */
record Batches(int maxDocuments, long maxBodyBytes, long maxFileBytes) {

  List<List<SourceFile>> plan(List<SourceFile> files, Map<String, String> failures) {
    List<List<SourceFile>> batches = new ArrayList<>();
    List<SourceFile> current = new ArrayList<>();
    long bytes = 0;
    for (SourceFile file : files) {
      if (file.bytes() > maxFileBytes) {
        failures.put(file.path().toString(), "payload_too_large: the file is larger than the server's limit of "
          + maxFileBytes + " bytes");
        continue;
      }
      if (file.encodedBytes() > maxBodyBytes) {
        failures.put(file.path().toString(), "payload_too_large: the file does not fit in one request (the server"
          + " takes bodies of up to " + maxBodyBytes + " bytes)");
        continue;
      }
      if (!current.isEmpty() && (current.size() == maxDocuments || bytes + file.encodedBytes() > maxBodyBytes)) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(file);
      bytes += file.encodedBytes() + 256;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
