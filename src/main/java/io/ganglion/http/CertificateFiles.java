package io.ganglion.http;

import io.ganglion.config.TlsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The TLS certificate chain and key ({@code tls.cert}, {@code tls.key}, PEM) of HTTPS and of the event-bus bridge's
 * listener, read by content so that a renewed pair at the same paths (cert-manager, certbot) is noticed:
 * {@link #reloadIfChanged} compares the files with what the server uses and hands a changed pair to the running server; connections already open keep their session, new ones
 * get the new certificate. A pair that does not load (half-written during the renewal, key not matching) is logged
 * and the pair in use stays; the next check tries again. Meters: {@code ganglion_tls_reloads_total},
 * {@code ganglion_tls_reload_failures_total}.
 * <p>
 * <b>NOTE</b>: called on the owning verticle's event loop; reading two small files there is the price of not
 * needing a worker for a check every {@code tls.reloadCheckMs}.
 */
public final class CertificateFiles {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateFiles.class);

  private final Path cert;
  private final Path key;
  private byte[] loadedCert = new byte[0];
  private byte[] loadedKey = new byte[0];
  private boolean reloading;
  private final Counter reloads;
  private final Counter failures;

  public CertificateFiles(TlsConfig tls, MeterRegistry meters) {
    this.cert = Path.of(tls.cert());
    this.key = Path.of(tls.key());
    this.reloads = meters.counter("ganglion.tls.reloads");
    this.failures = meters.counter("ganglion.tls.reload.failures");
  }

  /** The pair as it is now on disk (at start; a failure here fails start). */
  public PemKeyCertOptions load() {
    try {
      loadedCert = Files.readAllBytes(cert);
      loadedKey = Files.readAllBytes(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS certificate or key", e);
    }
    return options(loadedCert, loadedKey);
  }

  /** Hands a changed pair to the HTTP server (ALPN kept on). */
  void reloadIfChanged(HttpServer server) {
    reloadIfChanged(options -> server.updateSSLOptions(options.setUseAlpn(true), true));
  }

  /**
   * Hands a changed pair to {@code update} (a server's {@code updateSSLOptions}); a pair it does not take keeps the
   * one in use.
   */
  public void reloadIfChanged(Function<ServerSSLOptions, Future<Boolean>> update) {
    if (reloading) {
      return;
    }
    byte[] newCert;
    byte[] newKey;
    try {
      newCert = Files.readAllBytes(cert);
      newKey = Files.readAllBytes(key);
    } catch (IOException e) {
      LOG.warn("TLS certificate check: cannot read {} / {} ({}); keeping the certificate in use", cert, key, e.toString());
      return;
    }
    if (Arrays.equals(newCert, loadedCert) && Arrays.equals(newKey, loadedKey)) {
      return;
    }
    reloading = true;
    update.apply(new ServerSSLOptions().setKeyCertOptions(options(newCert, newKey)))
      .onSuccess(updated -> {
        loadedCert = newCert;
        loadedKey = newKey;
        reloads.increment();
        LOG.info("TLS certificate reloaded from {}", cert);
      })
      .onFailure(e -> {
        failures.increment();
        LOG.warn("TLS certificate in {} does not load ({}); keeping the one in use", cert, e.toString());
      })
      .onComplete(ar -> reloading = false);
  }

  private static PemKeyCertOptions options(byte[] cert, byte[] key) {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }
}
