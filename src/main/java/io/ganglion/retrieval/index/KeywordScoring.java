package io.ganglion.retrieval.index;

/**
 * How the keyword ranking scores a chunk: Lucene's BM25 with these parameters, summed over the fields a query term
 * matches, each field's match weighted.
 *
 * @param k1 BM25 term-frequency saturation (Lucene's default 1.2)
 * @param b BM25 length normalisation, 0 to 1 (Lucene's default 0.75)
 * @param headingWeight the weight of a term's match in the title and heading path, on top of its match in the body
 *     (which holds them too); 0 for none
 * @param exactWeight the weight of a term's match in the exact field (identifiers as typed, words unstemmed), on top
 *     of its stemmed match in the body
 */
public record KeywordScoring(double k1, double b, double headingWeight, double exactWeight) {

  /** Lucene's BM25, body and exact matches counted alike, no heading match. */
  public static final KeywordScoring DEFAULT = new KeywordScoring(1.2, 0.75, 0, 1);

  public KeywordScoring {
    if (!(k1 >= 0 && k1 <= 10)) {
      throw new IllegalArgumentException("k1 must be in [0, 10], got " + k1);
    }
    if (!(b >= 0 && b <= 1)) {
      throw new IllegalArgumentException("b must be in [0, 1], got " + b);
    }
    if (!(headingWeight >= 0 && headingWeight <= 10) || !(exactWeight >= 0 && exactWeight <= 10)) {
      throw new IllegalArgumentException("field weights must be in [0, 10], got " + headingWeight + " and " + exactWeight);
    }
  }
}
