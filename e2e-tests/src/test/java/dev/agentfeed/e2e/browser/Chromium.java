package dev.agentfeed.e2e.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system's Chromium driven through the system's chromedriver (Debian's packages; CI installs
 * them with apt). Both are found on the PATH or named by the system properties {@code
 * chromium.binary} and {@code chromedriver.binary}; giving Selenium both paths means Selenium
 * Manager never runs, so nothing is downloaded at test time.
 */
final class Chromium {

  private static final Logger log = LoggerFactory.getLogger(Chromium.class);
  private static final Path OUTPUT = Path.of("target", "browser");

  private Chromium() {}

  static Optional<Path> browser() {
    return find("chromium.binary", "chromium", "chromium-browser", "google-chrome");
  }

  static Optional<Path> driver() {
    return find("chromedriver.binary", "chromedriver");
  }

  /** Skips the calling test class, saying why, where no browser is installed. */
  static void assumeInstalled() {
    assumeTrue(
        browser().isPresent() && driver().isPresent(),
        "No Chromium and chromedriver on this machine (looked on the PATH and in the system"
            + " properties chromium.binary / chromedriver.binary): the dashboard's browser tests"
            + " are skipped. On Debian: apt-get install chromium chromium-driver.");
  }

  /** A headless Chromium with a fresh profile in {@code profile}. */
  static WebDriver start(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser().orElseThrow().toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver().orElseThrow().toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /** Saves what the browser shows as {@code target/browser/<name>.png}. */
  static Path screenshot(WebDriver browser, String name) {
    try {
      Files.createDirectories(OUTPUT);
      Path file = OUTPUT.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      log.info("Screenshot {}", file.toAbsolutePath());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the browser console so far to {@code target/browser/<name>-console.log}. */
  static void saveConsole(WebDriver browser, String name) {
    try {
      Files.createDirectories(OUTPUT);
      List<String> lines =
          browser.manage().logs().get(LogType.BROWSER).getAll().stream()
              .map(LogEntry::toString)
              .toList();
      Files.write(OUTPUT.resolve(name + "-console.log"), lines);
    } catch (IOException | RuntimeException e) {
      log.warn("Could not save the browser console of {}", name, e);
    }
  }

  static void writeReport(String name, List<String> lines) {
    try {
      Files.createDirectories(OUTPUT);
      Files.write(OUTPUT.resolve(name), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> find(String property, String... names) {
    String configured = System.getProperty(property);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    String pathVariable = System.getenv().getOrDefault("PATH", "");
    return Stream.of(pathVariable.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .flatMap(dir -> Stream.of(names).map(name -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
