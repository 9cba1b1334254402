package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The user hub in Debian's Chromium against the built jar (process mode, TLS): named servers are off and
 * sign-up is open. A user signs up (bad names are rejected with a message and create nothing), logs in,
 * starts the default workspace, opens it, and finds no way to create another one.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
class UserHubBrowserIT implements HubLogOnFailure.HasHub {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    static Path directory;

    private HubProcess hub;
    private HubSession admin;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path data = Files.createDirectories(directory.resolve("data"));
        Path yaml = Files.writeString(directory.resolve("mlhub.yaml"), String.join("\n",
                "adminUsers: [admin]",
                "openSignup: true",
                "allowNamedServers: false",
                ""));
        hub = new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", HubProcess.uniqueHubName('u'),
                "EXECUTION_MODE", "process",
                "SSL_ENABLED", "true",
                "HUB_CONFIG", yaml.toString()));
        hub.start();
        admin = new HubSession(URI.create("https://127.0.0.1:" + hub.port()));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertThat(admin.get("/hub/api/health").statusCode()).isEqualTo(200));
        assertThat(admin.signup("admin", PASSWORD)).isEqualTo(201);
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);

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
        browser = new ChromeDriver(service, options);
    }

    @Override
    public HubProcess hub() {
        return hub;
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.stopAll();
        }
    }

    @Test
    @Order(1)
    void signupRejectsBadNamesAndCreatesNothing() throws Exception {
        List<String> before = userNames();

        for (String bad : List.of("", "bad name!", "x".repeat(300))) {
            openPage("/hub/signup");
            fillSignup(bad);

            assertThat(visibleErrors("signup-form")).as("message for username '%s'", bad).isNotEmpty();
        }
        screenshot("user-hub-signup-error");
        assertThat(userNames()).as("users after rejected sign-ups").isEqualTo(before);
    }

    @Test
    @Order(2)
    void userSignsUpAndDuplicateIsRejected() throws Exception {
        openPage("/hub/signup");
        fillSignup("carol");
        waitFor().until(driver -> driver.findElement(By.id("signup-done")).isDisplayed());
        screenshot("user-hub-signup-done");
        assertThat(userNames()).contains("carol");

        openPage("/hub/signup");
        fillSignup("carol");
        assertThat(visibleErrors("signup-form")).as("message for a taken name").isNotEmpty();
    }

    @Test
    @Order(3)
    void userStartsAndOpensTheDefaultWorkspaceOnly() throws Exception {
        openPage("/hub/login");
        browser.findElement(By.id("login-username")).sendKeys("carol");
        browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitFor().until(driver -> driver.getCurrentUrl().endsWith("/hub/home"));
        waitReady();

        assertThat(browser.findElement(By.id("new-workspace")).isDisplayed()).as("new-workspace form").isFalse();
        assertThat(browser.findElements(By.cssSelector("#servers tr[data-server]"))).as("server rows").hasSize(1);
        WebElement row = defaultRow();
        row.findElement(By.xpath(".//button[normalize-space()='Start']")).click();
        waitFor().until(driver -> "running".equals(defaultRow().getDomAttribute("data-state"))
                || defaultRow().getText().contains("running"));
        openPage("/hub/home");
        waitFor().until(driver -> "running".equals(defaultRow().getDomAttribute("data-state")));
        screenshot("user-hub-home-running");
        assertThat(browser.findElements(By.cssSelector("#servers tr[data-server]"))).as("server rows").hasSize(1);
        assertThat(browser.findElement(By.id("new-workspace")).isDisplayed()).isFalse();

        String open = defaultRow().findElement(By.linkText("Open")).getDomAttribute("href");
        browser.get(URI.create(browser.getCurrentUrl()).resolve(open).toString());
        waitFor().until(driver -> driver.getCurrentUrl().contains("/user/carol/tree"));
        assertThat(browser.getPageSource()).as("the notebook page").contains("jupyter");
        screenshot("user-hub-workspace");

        JsonNode carol = admin.getJson("/hub/api/users/carol");
        assertThat(carol.path("servers").size()).as("servers of carol: %s", carol).isEqualTo(1);
        assertThat(admin.send("POST", "/hub/api/users/carol/servers/second", "{}").statusCode())
                .as("the API refuses named servers too").isEqualTo(400);
    }

    private WebElement defaultRow() {
        return browser.findElement(By.cssSelector("#servers tr[data-server='']"));
    }

    private void fillSignup(String name) {
        waitReady();
        browser.findElement(By.id("signup-username")).sendKeys(name);
        browser.findElement(By.id("signup-password")).sendKeys(PASSWORD);
        browser.findElement(By.id("signup-confirm")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> visibleErrors(String formId) {
        return waitFor().until(driver -> {
            List<String> texts = driver.findElements(By.cssSelector("#" + formId + " .field-error, #" + formId
                    + " [data-form-error]")).stream()
                    .filter(WebElement::isDisplayed)
                    .map(WebElement::getText)
                    .filter(text -> !text.isBlank())
                    .toList();
            return texts.isEmpty() ? null : texts;
        });
    }

    private List<String> userNames() throws Exception {
        return admin.getJson("/hub/api/users").findValuesAsText("name");
    }

    private void openPage(String path) {
        browser.get("https://127.0.0.1:" + hub.port() + path);
        waitReady();
    }

    private void waitReady() {
        waitFor().until(driver -> "ready".equals(driver.findElement(By.tagName("body")).getDomAttribute(
                "data-state")));
    }

    private WebDriverWait waitFor() {
        return new WebDriverWait(browser, WAIT);
    }

    private void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
