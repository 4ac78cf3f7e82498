package io.ganglion.console;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
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

/**
 * Debian's headless Chromium driven by Selenium through Debian's ChromeDriver (both installed by .ci/run), for the
 * console's browser tests (ConsoleIT, and ClusterIT's cluster view). Screenshots land in target/console-screens/.
 */
public final class ConsoleBrowser {

  private static final Path SCREENS = Path.of("target", "console-screens");

  private ConsoleBrowser() {
  }

  /** A new browser; the caller quits it. */
  public static ChromeDriver open() throws Exception {
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
    return new ChromeDriver(service, options);
  }

  public static WebDriverWait waiting(WebDriver driver) {
    return new WebDriverWait(driver, Duration.ofSeconds(60));
  }

  public static void screenshot(WebDriver driver, String name) throws Exception {
    Files.createDirectories(SCREENS);
    Files.write(SCREENS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  /** Console errors the page logged (SEVERE), ignoring none. */
  public static List<String> jsErrors(WebDriver driver) {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }

  /** axe-core (vendored from npm) on the current page: violations of impact serious or critical. */
  @SuppressWarnings("unchecked")
  public static List<String> seriousViolations(WebDriver driver) throws Exception {
    String axe = new String(ConsoleBrowser.class.getResourceAsStream("/axe/axe.min.js").readAllBytes(),
      StandardCharsets.UTF_8);
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
}
