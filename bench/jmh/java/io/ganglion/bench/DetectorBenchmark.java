package io.ganglion.bench;

import io.ganglion.reflex.ReflexConfig;
import io.ganglion.reflex.Direction;
import io.ganglion.reflex.Inspection;
import io.ganglion.reflex.Inspector;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.injection.InjectionVerdict;
import io.ganglion.reflex.pii.Finding;
import io.ganglion.reflex.pii.PiiScanner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Reflex detection cost on one thread.
 * <ul>
 *   <li>{@code piiScanMixedText}: all PII detectors over 64 KiB of prose with PII sprinkled in (about one item
 *   per 400 characters). Reported per character, so ops/us reads as MB/s for ASCII text.</li>
 *   <li>{@code injectionTypicalPrompt}: classifier and rules on a 300-character prompt.</li>
 *   <li>{@code inspectTypicalPrompt}: {@link Inspector#inspect} — PII, redaction, injection — on the same prompt
 *   with two PII items, in microseconds per call.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class DetectorBenchmark {

  static final int MIXED_CHARS = 64 * 1024;

  private static final String[] PROSE = {
    "The quarterly report shows steady growth across all regions. ",
    "Please review the attached draft before Friday's meeting. ",
    "Our retrieval pipeline fuses keyword and vector search results. ",
    "Die Ergebnisse der Umfrage werden nächste Woche veröffentlicht. ",
    "Version 2.4 fixed the timeout at 10:30 reported on 2024-05-01. ",
    "We shipped 1,250 units in March and expect more in April. ",
  };
  private static final String[] PII = {
    "Contact anna.schmidt@example.de for details. ",
    "Call +49 30 1234 5678 after lunch. ",
    "Card 4111 1111 1111 1111 was charged. ",
    "IBAN DE89 3704 0044 0532 0130 00 on file. ",
    "SSN 123-45-6789 appears in the form. ",
    "Server 192.168.10.42 answered slowly. ",
    "Key sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW leaked. ",
  };

  private PiiScanner scanner;
  private InjectionDetector injection;
  private Inspector inspector;
  private String mixed;
  private String prompt;

  @Setup
  public void setUp() {
    ReflexConfig config = ReflexConfig.defaults();
    scanner = PiiScanner.withBuiltIns(config.entropyMinLength(), config.entropyBitsPerChar(), List.of());
    injection = InjectionDetector.bundled();
    inspector = new Inspector(config, injection);
    mixed = mixedText(new Random(1));
    prompt = "Hi, I'm preparing the onboarding for our new colleague. Could you summarize the travel expense policy "
      + "and tell me who approves trips over 500 euros? Please send the summary to anna.schmidt@example.de and "
      + "copy my phone +49 30 1234 5678 into the note so the office can reach me. Thanks a lot for your help!";
  }

  static String mixedText(Random random) {
    StringBuilder text = new StringBuilder(MIXED_CHARS + 128);
    while (text.length() < MIXED_CHARS) {
      boolean pii = random.nextInt(7) == 0;
      text.append(pii ? PII[random.nextInt(PII.length)] : PROSE[random.nextInt(PROSE.length)]);
    }
    text.setLength(MIXED_CHARS);
    return text.toString();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @OperationsPerInvocation(MIXED_CHARS)
  public List<Finding> piiScanMixedText() {
    return scanner.scan(mixed);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public InjectionVerdict injectionTypicalPrompt() {
    return injection.detect(prompt);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Inspection inspectTypicalPrompt() {
    return inspector.inspect(prompt, Direction.INPUT);
  }
}
