package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorUtil;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The batched neighbour scoring of a graph walk")
class NeighbourScoringTest {

  // first: picks the index's vectorization provider (array-backed vectors) before any other JVector class loads
  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;
  // not a multiple of any vector width, so the scalar tail of the four-at-a-time kernel runs too
  private static final int DIMENSION = 70;
  private static final VectorSimilarityFunction DOT = VectorSimilarityFunction.DOT_PRODUCT;

  private static VectorFloat<?> unit(Random random) {
    float[] v = new float[DIMENSION];
    double norm = 0;
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < DIMENSION; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return TYPES.createFloatVector(v);
  }

  @ParameterizedTest(name = "graph on disk: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("returns JVector's own walk's results, with exact dot-product scores, in heap and on disk")
  void sameAsJVectorsWalk(boolean onDisk, @TempDir Path dir) throws Exception {
    // the four-at-a-time kernel runs (the module is on, the vectors are float arrays), not the one-by-one fallback
    assertThat(NeighbourScoring.VECTOR_API).isTrue();
    assertThat(unit(new Random(1)).get()).isInstanceOf(float[].class);
    Random random = new Random(18);
    List<VectorFloat<?>> list = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      list.add(unit(random));
    }
    RandomAccessVectorValues vectors = new ListRandomAccessVectorValues(list, DIMENSION);
    try (GraphIndexBuilder builder = GraphIndexBuilder.builder(vectors, DOT, 16).withBeamWidth(60)
           .withNeighborOverflow(1.2f).withAlpha(1.2f).build()) {
      ImmutableGraphIndex heapGraph = builder.build(vectors);
      ReaderSupplier file = null;
      ImmutableGraphIndex graph = heapGraph;
      if (onDisk) {
        Path path = dir.resolve("graph.jv");
        OnDiskGraphIndex.write(heapGraph, vectors, path);
        file = ReaderSupplierFactory.open(path);
        graph = OnDiskGraphIndex.load(file);
      }
      double same = 0;
      int queries = 50;
      OnDiskGraphIndex.View diskView = onDisk ? ((OnDiskGraphIndex) graph).getView() : null;
      try (GraphSearcher plain = new GraphSearcher(graph);
           NeighbourScoring batched = onDisk ? new NeighbourScoring(diskView) : new NeighbourScoring(graph)) {
        for (int q = 0; q < queries; q++) {
          VectorFloat<?> query = unit(random);
          RandomAccessVectorValues walked = onDisk ? (RandomAccessVectorValues) plain.getView() : vectors;
          SearchResult expected = plain.search(DefaultSearchScoreProvider.exact(query, DOT, walked), 10, 40, 0f, 0f,
            Bits.ALL);
          SearchResult found = onDisk
            ? batched.search(diskView, query, diskView, 10, 40, Bits.ALL)
            : batched.search(graph.getView(), query, vectors, 10, 40, Bits.ALL);
          assertThat(found.getNodes()).hasSize(10);
          for (SearchResult.NodeScore ns : found.getNodes()) {
            float exact = (1 + VectorUtil.dotProduct(query, vectors.getVector(ns.node))) / 2;
            assertThat(ns.score).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5f));
          }
          int[] a = Arrays.stream(expected.getNodes()).mapToInt(ns -> ns.node).sorted().toArray();
          int[] b = Arrays.stream(found.getNodes()).mapToInt(ns -> ns.node).sorted().toArray();
          same += Arrays.equals(a, b) ? 1 : 0;
          // the same nodes scored: the walk took the same path
          assertThat(found.getVisitedCount()).isCloseTo(expected.getVisitedCount(),
            org.assertj.core.data.Percentage.withPercentage(5));
        }
      } finally {
        if (onDisk) {
          ((OnDiskGraphIndex) graph).close();
          file.close();
        }
      }
      // sums rounded in another order may swap two candidates within 1e-7 of each other, nothing more
      assertThat(same / queries).isGreaterThanOrEqualTo(0.96);
    }
  }
}
