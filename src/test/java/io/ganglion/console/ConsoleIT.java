package io.ganglion.console;

import io.ganglion.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.ganglion.generation.ScriptedLlm;
import io.ganglion.generation.ScriptedLlm.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser ({@link ConsoleBrowser}: Debian's headless Chromium driven by Selenium), against a real
 * server. Screenshots of each view land in target/console-screens/.
 */
@DisplayName("The web console in headless Chromium")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

  private static TestServer server;
  private static String base;
  private static final List<WebDriver> DRIVERS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.shared();
    base = "http://127.0.0.1:" + server.ganglion().port();
  }

  @AfterAll
  static void stop() {
    DRIVERS.forEach(WebDriver::quit);
  }

  private static ChromeDriver browser() throws Exception {
    ChromeDriver driver = ConsoleBrowser.open();
    DRIVERS.add(driver);
    return driver;
  }

  private static WebDriverWait waiting(WebDriver driver) {
    return ConsoleBrowser.waiting(driver);
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    ConsoleBrowser.screenshot(driver, name);
  }

  private static List<String> jsErrors(WebDriver driver) {
    return ConsoleBrowser.jsErrors(driver);
  }

  private static List<String> seriousViolations(WebDriver driver) throws Exception {
    return ConsoleBrowser.seriousViolations(driver);
  }

  @Test
  @Order(1)
  @DisplayName("signs in from a #key= fragment, creates a KB, uploads files with job progress, asks with a streamed cited answer, opens the passage and the trace, without JS errors or serious accessibility violations")
  void fullFlow(@org.junit.jupiter.api.io.TempDir Path files) throws Exception {
    ChromeDriver driver = browser();
    List<String> violations = new ArrayList<>();
    driver.get(base + "/console/#key=" + server.adminKey());
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("kb-name")));
    assertThat(driver.getCurrentUrl()).as("the key leaves the address bar").doesNotContain(server.adminKey()).endsWith("#/kbs");

    driver.findElement(By.id("kb-name")).sendKeys("console-kb");
    driver.findElement(By.id("create-kb")).click();
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.linkText("console-kb")));
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "knowledge-bases");
    driver.findElement(By.linkText("console-kb")).click();

    List<String> paths = new ArrayList<>();
    Files.writeString(files.resolve("leave.md"), "# Leave policy\n\nThe vacation policy grants 25 days of paid leave "
      + "per year. Employees request leave in the HR portal.\n");
    paths.add(files.resolve("leave.md").toString());
    // untrusted HTML that would run script if the console inserted it as HTML
    Files.writeString(files.resolve("hostile.html"), "<html><body><p>Office hours are nine to five.</p>"
      + "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script></body></html>");
    paths.add(files.resolve("hostile.html").toString());
    for (int i = 0; i < 22; i++) {
      Path note = files.resolve("note-" + i + ".txt");
      Files.writeString(note, "Note " + i + " describes the badger colony number " + i + " near the river.");
      paths.add(note.toString());
    }
    waiting(driver).until(ExpectedConditions.presenceOfElementLocated(By.id("files"))).sendKeys(String.join("\n", paths));
    driver.findElement(By.id("upload")).click();
    // the bar follows the job's event stream; when all is done the page lists the documents
    waiting(driver).until(ExpectedConditions.attributeToBe(By.id("upload-progress"), "value", "24"));
    waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Done: 24 of 24"));
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.linkText("hostile.html")));
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "upload");
    driver.findElement(By.linkText("hostile.html")).click();
    waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("document-text"), "Office hours"));
    assertThat(((JavascriptExecutor) driver).executeScript("return window.__pwned === undefined")).isEqualTo(true);

    driver.get(base + "/console/#/kb/console-kb/chat");
    WebElement question = waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("question")));
    question.sendKeys("How many days of paid leave do employees get?");
    driver.findElement(By.id("ask")).click();
    waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("answer"), "25 days"));
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("trace-link")));
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "chat");

    driver.findElement(By.cssSelector("#citations a.citation")).click();
    WebElement mark = waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("cited")));
    assertThat(mark.getText()).contains("25 days");
    screenshot(driver, "cited-passage");

    driver.navigate().back();
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("question")));
    driver.get(base + "/console/#/kb/console-kb/chat");
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("question"))).sendKeys("How many days of paid leave?");
    driver.findElement(By.id("ask")).click();
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("trace-link"))).click();
    waiting(driver).until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#trace-steps tbody tr"), 3));
    assertThat(driver.findElement(By.id("trace-steps")).getText()).contains("retrieve").contains("generate");
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "trace");

    // the traces list pages through the tenant's answers, newest first, and opens one
    driver.get(base + "/console/#/traces");
    waiting(driver).until(ExpectedConditions.elementToBeClickable(By.linkText("How many days of paid leave?")));
    assertThat(driver.findElements(By.cssSelector("#traces tbody tr")).getFirst().getText())
      .as("newest first").startsWith("How many days of paid leave?");
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "traces");
    driver.findElement(By.linkText("How many days of paid leave?")).click();
    waiting(driver).until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#trace-steps tbody tr"), 3));

    // tenants and keys: create a tenant, give it a chat-only key, see it listed under the tenant, revoke it
    driver.get(base + "/console/#/keys");
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("tenant-id"))).sendKeys("console-tenant");
    driver.findElement(By.id("create-tenant")).click();
    waiting(driver).until(ExpectedConditions.textToBe(By.id("keys-heading"), "Keys of console-tenant"));
    // other tests' tenants share this server: page on until the new one shows
    By nextTenants = By.xpath("//section[.//table[@id='tenants']]//div[@class='pager']/button");
    for (int i = 0; i < 50 && !driver.findElement(By.id("tenants")).getText().contains("console-tenant"); i++) {
      String before = driver.findElement(By.id("tenants")).getText();
      driver.findElement(nextTenants).click();
      waiting(driver).until(d -> !d.findElement(By.id("tenants")).getText().equals(before));
    }
    assertThat(driver.findElement(By.id("tenants")).getText()).contains("console-tenant");
    assertThat(driver.findElement(By.id("key-tenant")).getDomProperty("value")).isEqualTo("console-tenant");
    driver.findElement(By.id("scope-kb:read")).click();
    driver.findElement(By.id("scope-kb:write")).click();
    driver.findElement(By.id("create-key")).click();
    String newKey = waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key"))).getText();
    JsonObject listed = TestServer.json(server.get("/v1/admin/keys?tenant=console-tenant"));
    assertThat(listed.getJsonArray("keys")).hasSize(1);
    assertThat(listed.getJsonArray("keys").getJsonObject(0).getJsonArray("scopes")).containsExactly("chat");
    assertThat(newKey).startsWith(listed.getJsonArray("keys").getJsonObject(0).getString("prefix"));
    assertThat(driver.findElement(By.id("keys")).getText()).contains("console-tenant").contains("chat").doesNotContain("kb:read");
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "keys");
    driver.findElement(By.cssSelector("#keys button.danger")).click();
    waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "revoked"));
    assertThat(TestServer.json(server.get("/v1/admin/keys?tenant=console-tenant")).getJsonArray("keys").getJsonObject(0)
      .getString("revokedAt")).isNotNull();

    // the cluster as this node sees it: one member, green, console-kb's shard copies active
    driver.get(base + "/console/#/cluster");
    waiting(driver).until(ExpectedConditions.textToBe(By.id("cluster-status"), "green"));
    assertThat(driver.findElement(By.id("cluster-summary")).getText()).contains("1 member").contains("quorum yes");
    assertThat(driver.findElements(By.cssSelector("#members tbody tr"))).hasSize(1);
    WebElement copies = driver.findElements(By.cssSelector("#shards tbody tr")).stream()
      .filter(row -> row.getText().startsWith("console-kb")).findFirst().orElseThrow();
    JsonObject cluster = TestServer.json(server.get("/v1/cluster"));
    int shards = cluster.getJsonArray("kbs").stream().map(JsonObject.class::cast)
      .filter(kb -> kb.getString("name").equals("console-kb")).findFirst().orElseThrow().getJsonArray("shards").size();
    assertThat(copies.getText()).contains("default").contains(shards + "/" + shards);
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "cluster");

    assertThat(violations).as("serious or critical axe-core violations").isEmpty();
    assertThat(jsErrors(driver)).as("JavaScript errors in the console log").isEmpty();
  }

  @Test
  @Order(2)
  @DisplayName("a keyboard-only user signs in and asks")
  void keyboardOnly() throws Exception {
    ChromeDriver driver = browser();
    driver.get(base + "/console/");
    WebElement key = waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    assertThat(driver.switchTo().activeElement()).isEqualTo(key);
    new Actions(driver).sendKeys(server.adminKey()).sendKeys(Keys.ENTER).perform();
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("kb-name")));
    waiting(driver).until(ExpectedConditions.presenceOfElementLocated(By.linkText("console-kb")));

    String chat = "#/kb/console-kb/chat";
    for (int i = 0; i < 60 && !String.valueOf(driver.switchTo().activeElement().getDomAttribute("href")).equals(chat); i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform();
    }
    assertThat(driver.switchTo().activeElement().getDomAttribute("href")).isEqualTo(chat);
    new Actions(driver).sendKeys(Keys.ENTER).perform();
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("question")));
    waiting(driver).until(d -> "question".equals(d.switchTo().activeElement().getDomAttribute("id")));
    new Actions(driver).sendKeys("How many days of paid leave do employees get?").sendKeys(Keys.ENTER).perform();
    waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("answer"), "25 days"));
    waiting(driver).until(ExpectedConditions.attributeToBe(By.id("nav"), "data-admin", "true"));
    assertThat(driver.findElement(By.id("nav-keys")).isDisplayed()).as("an admin key sees the admin views").isTrue();
    assertThat(driver.findElement(By.id("nav-cluster")).isDisplayed()).isTrue();
    assertThat(jsErrors(driver)).isEmpty();
  }

  @Test
  @Order(4)
  @DisplayName("a key without admin is not offered the admin views, as GET /v1/me tells the console")
  void nonAdminKey() throws Exception {
    String key = TestServer.json(server.postJson("/v1/admin/keys",
      "{\"tenant\":\"default\",\"name\":\"reader\",\"scopes\":[\"kb:read\",\"chat\"]}")).getString("key");
    JsonObject me = new JsonObject(server.as(key, "GET", "/v1/me", null).body());
    assertThat(me.getString("tenant")).isEqualTo("default");
    assertThat(me.getJsonArray("scopes")).containsExactly("chat", "kb:read");
    assertThat(me.getString("keyId")).isNotBlank();

    ChromeDriver driver = browser();
    driver.get(base + "/console/#key=" + key);
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("kb-name")));
    waiting(driver).until(ExpectedConditions.attributeToBe(By.id("nav"), "data-admin", "false"));
    assertThat(driver.findElement(By.id("nav-keys")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.id("nav-cluster")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.linkText("Traces")).isDisplayed()).isTrue();
    assertThat(jsErrors(driver)).isEmpty();
  }

  @Test
  @Order(3)
  @DisplayName("lists agents, starts a run and watches its events stream, approves (by keyboard) the call it waits on and sees it finish, and denies another")
  void agentsAndRuns() throws Exception {
    Vertx vertx = Vertx.vertx();
    // agents need an LLM: a server of their own whose provider is a scripted OpenAI-compatible upstream
    ScriptedLlm llm = ScriptedLlm.start(vertx).script(turn -> turn.toolResults().isEmpty()
      ? Reply.calls(ScriptedLlm.call("kb_search", new JsonObject().put("query", "paid leave")))
      : Reply.text("The handbook was searched: " + turn.toolResults().size() + " search done."));
    Path data = Files.createTempDirectory(Path.of("target"), "it-console-agents-");
    Path file = data.resolve("llm.json");
    Files.writeString(file, new JsonObject().put("llm", new JsonObject().put("providers", new JsonArray()
      .add(new JsonObject().put("name", "scripted").put("type", "openai").put("baseUrl", llm.openAiBaseUrl())
        .put("model", "scripted-1").put("maxRetries", 0)))).encode());
    try (TestServer agents = TestServer.start(data, Map.of("config", file.toString()))) {
      assertThat(agents.postJson("/v1/kbs", "{\"name\":\"crew\"}").statusCode()).isEqualTo(201);
      assertThat(agents.postJson("/v1/agents", new JsonObject().put("name", "reviewer").put("description", "Searches, with a human check")
        .put("instructions", "Search the handbook.").put("tools", new JsonArray().add("kb_search"))
        .put("kbs", new JsonArray().add("crew")).put("approval", new JsonArray().add("kb_search")).encode()).statusCode())
        .isEqualTo(201);
      String agentsBase = "http://127.0.0.1:" + agents.ganglion().port();
      ChromeDriver driver = browser();
      List<String> violations = new ArrayList<>();
      driver.get(agentsBase + "/console/#key=" + agents.adminKey());
      waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("kb-name")));
      driver.findElement(By.linkText("Agents")).click();
      waiting(driver).until(ExpectedConditions.elementToBeClickable(By.linkText("reviewer")));
      assertThat(driver.findElement(By.id("agents")).getText()).contains("Searches, with a human check").contains("kb_search");
      violations.addAll(seriousViolations(driver));
      screenshot(driver, "agents");
      driver.findElement(By.linkText("reviewer")).click();

      // the run's events stream in: the call, held for approval; the run pauses
      waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("run-input"))).sendKeys("Check the leave rules.");
      driver.findElement(By.id("start-run")).click();
      waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-events"), "calls kb_search"));
      assertThat(driver.findElement(By.id("run-events")).getText()).contains("waits for approval").contains("paid leave");
      waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-state"), "waiting_approval"));
      waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("runs"), "waiting_approval"));
      violations.addAll(seriousViolations(driver));
      screenshot(driver, "agent-run");

      // approving streams the rest of the run; the stored run is shown when it ends
      driver.findElement(By.id("open-run")).click();
      waiting(driver).until(ExpectedConditions.textToBePresentInElementLocated(By.id("pending"), "kb_search"));
      violations.addAll(seriousViolations(driver));
      screenshot(driver, "run-approval");
      // by keyboard: Tab from the page to Approve, then Enter
      for (int i = 0; i < 40 && !"approve".equals(driver.switchTo().activeElement().getDomAttribute("id")); i++) {
        new Actions(driver).sendKeys(Keys.TAB).perform();
      }
      assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("approve");
      new Actions(driver).sendKeys(Keys.ENTER).perform();
      waiting(driver).until(ExpectedConditions.textToBe(By.id("run-status"), "completed"));
      assertThat(driver.findElement(By.id("run-final")).getText()).isEqualTo("The handbook was searched: 1 search done.");
      assertThat(driver.findElement(By.id("run-events")).getText()).contains("kb_search answered");
      assertThat(driver.findElement(By.id("run-steps")).getText()).contains("kb_search");
      assertThat(driver.findElements(By.id("approve"))).isEmpty();

      // a second run, denied with a reason: it ends rejected and its call never runs
      driver.findElement(By.linkText("Back to reviewer")).click();
      waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("run-input"))).sendKeys("Check again.");
      driver.findElement(By.id("start-run")).click();
      waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("open-run"))).click();
      waiting(driver).until(ExpectedConditions.elementToBeClickable(By.id("deny-reason"))).sendKeys("not now");
      driver.findElement(By.id("deny")).click();
      waiting(driver).until(ExpectedConditions.textToBe(By.id("run-status"), "rejected"));
      assertThat(llm.received()).as("no model turn after the denied call").hasSize(3);

      assertThat(violations).as("serious or critical axe-core violations").isEmpty();
      assertThat(jsErrors(driver)).as("JavaScript errors in the console log").isEmpty();
    } finally {
      vertx.close().await();
    }
  }
}
