package io.ganglion.http.limits;

import io.ganglion.bus.DiskSpace;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;

/**
 * Refuses a multipart upload whose body cannot fit in the free space of the uploads directory's file system, before a
 * byte of it is read: 503 {@code unavailable} ("the server's disk is full", Retry-After). The body handler streams file
 * parts to that directory, and Vert.x Web 5.0.8's {@code BodyHandler} does not end a request whose upload hit ENOSPC
 * mid-way (cancelling the failed file stream throws, so the failure never reaches the route: the request would wait
 * for {@code http.requestTimeoutMs} and answer 504). A body without a {@code Content-Length} is refused only once the
 * file system is full ({@value #MIN_FREE_BYTES} bytes or less).
 * <p>
 * <b>NOTE</b>: thread-safe; one {@code statvfs} per multipart request.
 */
public final class UploadSpace implements Handler<RoutingContext> {

  /** Free bytes under which a multipart body of unknown length is refused. */
  static final long MIN_FREE_BYTES = 64 * 1024;
  private static final String MULTIPART = "multipart/form-data";

  private final DiskSpace uploads;
  private final Path dir;

  /** @param dir the uploads directory (it must exist) */
  public UploadSpace(Path dir) {
    this.dir = dir.toAbsolutePath();
    this.uploads = DiskSpace.of(this.dir);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.regionMatches(true, 0, MULTIPART, 0, MULTIPART.length())) {
      ctx.next();
      return;
    }
    long free = uploads.tightest().bytes();
    long length = length(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH));
    if (length >= 0 ? length > free : free <= MIN_FREE_BYTES) {
      ctx.fail(ErrorCode.UNAVAILABLE.exception("the server's disk is full: " + free + " bytes are free for uploads in "
        + dir + (length >= 0 ? ", the upload is " + length + " bytes" : "") + "; retry once space is freed"));
      return;
    }
    ctx.next();
  }

  private static long length(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
