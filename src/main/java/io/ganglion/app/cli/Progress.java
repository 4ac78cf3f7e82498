package io.ganglion.app.cli;

import java.io.PrintWriter;

/**
 * The ingestion progress bar on stderr: redrawn in place on a terminal, one line per change of at least a tenth
 * otherwise (logs and pipes stay short).
 */
final class Progress {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final int total;
  private final boolean terminal;
  private int done;
  private int printedTenth = -1;

  Progress(PrintWriter err, int total, boolean terminal) {
    this.err = err;
    this.total = total;
    this.terminal = terminal;
  }

  int done() {
    return done;
  }

  void advance(int files) {
    setDone(done + files);
  }

  void setDone(int value) {
    done = Math.min(total, Math.max(done, value));
    int filled = total == 0 ? WIDTH : done * WIDTH / total;
    String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " files";
    if (terminal) {
      err.print("\r" + line);
      err.flush();
    } else {
      int tenth = total == 0 ? 10 : done * 10 / total;
      if (tenth != printedTenth) {
        printedTenth = tenth;
        err.println(line);
        err.flush();
      }
    }
  }

  void finish() {
    if (terminal) {
      err.println();
      err.flush();
    }
  }
}
