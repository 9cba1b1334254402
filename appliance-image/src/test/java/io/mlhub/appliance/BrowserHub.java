package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The built jar in process mode with TLS, an admin API session and Debian's Chromium, shared by the
 * browser tests. Waits are explicit: every step waits for visible state, never for time.
 */
final class BrowserHub implements AutoCloseable {
    static final String PASSWORD = "correct-horse-battery";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HubRunner hub;
    private final HubSession admin;
    private final ChromeDriver browser;

    private BrowserHub(HubRunner hub, HubSession admin, ChromeDriver browser) {
        this.hub = hub;
        this.admin = admin;
        this.browser = browser;
    }

    /** Starts a hub with the given YAML config lines, waits until it is healthy and opens Chromium. */
    static BrowserHub start(Path directory, char namePrefix, String... yamlLines) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path data = Files.createDirectories(directory.resolve("data"));
        Path yaml = Files.writeString(directory.resolve("mlhub.yaml"), String.join("\n", yamlLines) + "\n");
        HubProcess hub = new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", HubProcess.uniqueHubName(namePrefix),
                "EXECUTION_MODE", "process",
                "SSL_ENABLED", "true",
                "HUB_CONFIG", yaml.toString()));
        hub.start();
        HubSession admin = new HubSession(URI.create("https://127.0.0.1:" + hub.port()));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertThat(admin.get("/hub/api/health").statusCode()).isEqualTo(200));
        return new BrowserHub(hub, admin, chromium(directory));
    }

    /** Opens Chromium on a hub that the caller started and keeps running; {@link #close} stops both. */
    static BrowserHub attach(HubRunner hub, HubSession admin, Path directory) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        return new BrowserHub(hub, admin, chromium(directory));
    }

    private static ChromeDriver chromium(Path directory) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--ignore-certificate-errors", "--user-data-dir=" + Files.createDirectories(directory.resolve(
                        "chromium")), "--window-size=1366,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    HubRunner hub() {
        return hub;
    }

    /** Returns the API session meant for the admin. Tests log it in once the admin has signed up. */
    HubSession api() {
        return admin;
    }

    ChromeDriver browser() {
        return browser;
    }

    /** Opens a hub page and waits until its script has drawn it. */
    void open(String path) {
        browser.get("https://127.0.0.1:" + hub.port() + path);
        waitReady();
    }

    void waitReady() {
        waitFor().until(driver -> "ready".equals(driver.findElement(By.tagName("body")).getDomAttribute(
                "data-state")));
    }

    WebDriverWait waitFor() {
        return waitFor(WAIT);
    }

    /** Returns a wait with a longer timeout, for steps such as a workspace's start. */
    WebDriverWait waitFor(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.ignoring(org.openqa.selenium.NoSuchElementException.class);
        return wait;
    }

    /** Signs up through the sign-up page and waits for the "an administrator must authorize" message. */
    String signUp(String name) {
        open("/hub/signup");
        browser.findElement(By.id("signup-username")).sendKeys(name);
        browser.findElement(By.id("signup-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("signup-confirm")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
        return waitFor().until(driver -> {
            WebElement done = driver.findElement(By.id("signup-done"));
            return done.isDisplayed() && !done.getText().isBlank() ? done.getText() : null;
        });
    }

    /** Submits the login form with fresh cookies. The caller waits for the outcome. */
    void submitLogin(String name) {
        browser.manage().deleteAllCookies();
        open("/hub/login");
        browser.findElement(By.id("login-username")).sendKeys(name);
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    }

    /** Logs in through the login page and waits for the home page. */
    void logIn(String name) {
        submitLogin(name);
        waitFor().until(driver -> driver.getCurrentUrl().endsWith("/hub/home"));
        waitReady();
    }

    /** Waits for visible, non-empty error messages inside an element and returns them. */
    List<String> visibleErrors(String containerCss) {
        return waitFor().until(driver -> {
            List<String> texts = driver.findElements(By.cssSelector(containerCss + " .field-error, "
                            + containerCss + " [data-form-error]")).stream()
                    .filter(WebElement::isDisplayed)
                    .map(WebElement::getText)
                    .filter(text -> !text.isBlank())
                    .toList();
            return texts.isEmpty() ? null : texts;
        });
    }

    /** Waits for the visible error next to one field and returns it. */
    String fieldError(String errorId) {
        return waitFor().until(driver -> {
            WebElement error = driver.findElement(By.id(errorId));
            return error.isDisplayed() && !error.getText().isBlank() ? error.getText() : null;
        });
    }

    void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() throws Exception {
        try {
            browser.quit();
        } finally {
            hub.stopAll();
        }
    }
}
