package io.ganglion.bench.ann;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Builds one configuration's index (and the data set, when missing) in its own JVM:
 * {@code AnnBuild <data dir> <size> <dimension> <config> <threads>}. A finished build is kept and reused; delete its
 * directory to rebuild. Prints {@code BUILD <dir> <seconds>}.
 */
public final class AnnBuild {

  private AnnBuild() {
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    AnnData data = AnnData.open(root, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    if (args.length < 4) {
      return; // data set only
    }
    AnnProvider.choose(args[3]);
    AnnIndex index = AnnConfigs.get(args[3]);
    int threads = Integer.parseInt(args[4]);
    Path dir = root.resolve(index.buildDir());
    if (index.buildDir().equals("jvector")) {
      // one directory, built part by part: parts already there are kept
      if (((JVectorAnn) AnnConfigs.ALL.get(args[3].replace(AnnProvider.PANAMA, ""))).built(dir)) {
        System.out.println("BUILD " + index.name() + " cached");
        return;
      }
      Files.createDirectories(dir);
      long t0 = System.nanoTime();
      index.build(data, dir, threads);
      System.out.printf("BUILD %s %.1f%n", index.name(), (System.nanoTime() - t0) / 1e9);
      return;
    }
    if (Files.exists(dir.resolve("build.properties"))) {
      System.out.println("BUILD " + index.buildDir() + " cached");
      return;
    }
    Path tmp = root.resolve(index.buildDir() + ".tmp");
    if (Files.exists(tmp)) {
      try (var files = Files.walk(tmp)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(tmp);
    long t0 = System.nanoTime();
    index.build(data, tmp, threads);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    System.out.printf("BUILD %s %.1f%n", index.buildDir(), (System.nanoTime() - t0) / 1e9);
  }
}
