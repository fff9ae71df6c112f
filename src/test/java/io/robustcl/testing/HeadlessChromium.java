package io.robustcl.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} driven headless through {@code chromium-driver} (Selenium), for
 * tests that look at a page as a person would. Never downloads a browser or a driver: both
 * must be installed ({@code apt-get install chromium chromium-driver}).
 */
public final class HeadlessChromium {

  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  /** What a skipped test says. */
  public static final String INSTALL = "headless Chromium is not installed: apt-get install chromium chromium-driver";

  private HeadlessChromium() {}

  /** Empty when the browser and its driver are installed, else why not. */
  public static Optional<String> missing() {
    return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER) ? Optional.empty() : Optional.of(INSTALL);
  }

  /** A headless browser, 1400x1000, recording the console; close it after use. */
  public static ChromeDriver open() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1400,1000", "--allow-file-access-from-files");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(60))
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return driver;
  }

  /** The messages the page logged at level SEVERE (errors, failed loads). */
  public static List<String> consoleErrors(ChromeDriver driver) {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .map(e -> e.getMessage())
        .toList();
  }
}
