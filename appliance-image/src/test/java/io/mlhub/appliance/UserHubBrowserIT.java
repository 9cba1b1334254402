package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
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
    private static final String PASSWORD = BrowserHub.PASSWORD;

    @TempDir
    static Path directory;

    private BrowserHub hub;
    private HubSession admin;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        hub = BrowserHub.start(directory, 'u',
                "adminUsers: [admin]",
                "openSignup: true",
                "allowNamedServers: false");
        admin = hub.api();
        browser = hub.browser();
        assertThat(admin.signup("admin", PASSWORD)).isEqualTo(201);
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
    }

    @Override
    public HubRunner hub() {
        return hub == null ? null : hub.hub();
    }

    @AfterAll
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
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
    }

    private List<String> visibleErrors(String formId) {
        return hub.visibleErrors("#" + formId);
    }

    private List<String> userNames() throws Exception {
        return admin.getJson("/hub/api/users").findValuesAsText("name");
    }

    private void openPage(String path) {
        hub.open(path);
    }

    private void waitReady() {
        hub.waitReady();
    }

    private WebDriverWait waitFor() {
        return hub.waitFor();
    }

    private void screenshot(String name) throws Exception {
        hub.screenshot(name);
    }
}
