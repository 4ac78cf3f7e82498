package io.ganglion.retrieval;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Status;
import io.ganglion.config.GanglionConfig;
import io.ganglion.store.KbRepository;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.regex.Pattern;

/**
 * Retrieval: knowledge bases, ingestion, indexes and search. Registry work is non-blocking SQL on the event loop;
 * index work runs on retrieval's own worker pool. See verticles.md for its addresses.
 */
public final class RetrievalVerticle extends VerticleBase {

  /** Knowledge-base names: lower-case letters, digits, '_' and '-', starting with a letter or digit, 1–63 long. */
  public static final Pattern KB_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private Pool postgres;
  private KbRepository kbs;

  @Override
  public Future<?> start() {
    GanglionConfig config = GanglionConfig.from(config());
    postgres = Stores.postgres(vertx, config.postgres());
    kbs = new KbRepository(postgres);
    var bus = vertx.eventBus();
    return Future.all(
      Status.register(vertx, Addresses.RETRIEVAL_STATUS, "retrieval", JsonObject::new),
      bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_CREATE, this::createKb).completion(),
      bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_LIST, this::listKbs).completion(),
      bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_GET, this::getKb).completion(),
      bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_DELETE, this::deleteKb).completion());
  }

  @Override
  public Future<?> stop() {
    return postgres.close();
  }

  private void createKb(Message<JsonObject> msg) {
    String tenant = msg.body().getString("tenant");
    String name = msg.body().getString("name");
    if (!validTenant(tenant, msg)) {
      return;
    }
    if (name == null || !KB_NAME.matcher(name).matches()) {
      ErrorCode.INVALID_REQUEST.fail(msg, "invalid knowledge base name '" + name
        + "': use 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit");
      return;
    }
    kbs.create(tenant, name)
      .onSuccess(kb -> msg.reply(toJson(kb)))
      .onFailure(failure -> reply(msg, failure));
  }

  private void listKbs(Message<JsonObject> msg) {
    String tenant = msg.body().getString("tenant");
    if (!validTenant(tenant, msg)) {
      return;
    }
    kbs.list(tenant)
      .onSuccess(list -> msg.reply(new JsonObject().put("kbs", new JsonArray(list.stream().map(RetrievalVerticle::toJson).toList()))))
      .onFailure(failure -> reply(msg, failure));
  }

  private void getKb(Message<JsonObject> msg) {
    String tenant = msg.body().getString("tenant");
    String name = msg.body().getString("name");
    if (!validTenant(tenant, msg)) {
      return;
    }
    kbs.get(tenant, name)
      .onSuccess(kb -> kb.ifPresentOrElse(
        found -> msg.reply(toJson(found)),
        () -> ErrorCode.NOT_FOUND.fail(msg, "no knowledge base named '" + name + "'")))
      .onFailure(failure -> reply(msg, failure));
  }

  private void deleteKb(Message<JsonObject> msg) {
    String tenant = msg.body().getString("tenant");
    String name = msg.body().getString("name");
    if (!validTenant(tenant, msg)) {
      return;
    }
    kbs.delete(tenant, name)
      .onSuccess(deleted -> {
        if (deleted) {
          msg.reply(new JsonObject().put("deleted", name));
        } else {
          ErrorCode.NOT_FOUND.fail(msg, "no knowledge base named '" + name + "'");
        }
      })
      .onFailure(failure -> reply(msg, failure));
  }

  private static boolean validTenant(String tenant, Message<JsonObject> msg) {
    if (tenant == null || tenant.isBlank()) {
      ErrorCode.INVALID_REQUEST.fail(msg, "'tenant' is required");
      return false;
    }
    return true;
  }

  private static void reply(Message<JsonObject> msg, Throwable failure) {
    if (failure instanceof KbRepository.DuplicateKbException) {
      ErrorCode.CONFLICT.fail(msg, failure.getMessage());
    } else {
      ErrorCode.UNAVAILABLE.fail(msg, "knowledge base store unavailable: " + failure.getMessage());
    }
  }

  private static JsonObject toJson(KbRepository.Kb kb) {
    return new JsonObject().put("name", kb.name()).put("createdAt", kb.createdAt().toString());
  }
}
