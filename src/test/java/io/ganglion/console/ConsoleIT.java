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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: Debian's headless Chromium driven by Selenium through Debian's ChromeDriver (both
 * installed by .ci/run), against a real server. Screenshots of each view land in target/console-screens/.
 */
@DisplayName("The web console in headless Chromium")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

  private static final Path SCREENS = Path.of("target", "console-screens");
  private static TestServer server;
  private static String base;
  private static final List<WebDriver> DRIVERS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.shared();
    base = "http://127.0.0.1:" + server.ganglion().port();
    Files.createDirectories(SCREENS);
  }

  @AfterAll
  static void stop() {
    DRIVERS.forEach(WebDriver::quit);
  }

  static ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
      "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory(Path.of("target"), "chromium-"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    DRIVERS.add(driver);
    return driver;
  }

  private static WebDriverWait waiting(WebDriver driver) {
    return new WebDriverWait(driver, Duration.ofSeconds(60));
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    Files.write(SCREENS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  /** Console errors the page logged (SEVERE), ignoring none. */
  private static List<String> jsErrors(WebDriver driver) {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }

  /** axe-core (vendored from npm) on the current page: violations of impact serious or critical. */
  @SuppressWarnings("unchecked")
  private static List<String> seriousViolations(WebDriver driver) throws Exception {
    String axe = new String(ConsoleIT.class.getResourceAsStream("/axe/axe.min.js").readAllBytes(), StandardCharsets.UTF_8);
    JavascriptExecutor js = (JavascriptExecutor) driver;
    js.executeScript(axe);
    Map<String, Object> result = (Map<String, Object>) js.executeAsyncScript(
      "const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r));");
    List<String> serious = new ArrayList<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) result.get("violations")) {
      if ("serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))) {
        serious.add(v.get("id") + ": " + v.get("help"));
      }
    }
    return serious;
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

    driver.get(base + "/console/#/keys");
    waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-tenant")));
    waiting(driver).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tbody tr")));
    violations.addAll(seriousViolations(driver));
    screenshot(driver, "keys");

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
    assertThat(jsErrors(driver)).isEmpty();
  }
}
