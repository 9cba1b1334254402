package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Self-service in Debian's Chromium against the built jar (process mode, TLS). Dave signs up and cannot log in
 * until the admin authorizes him on the Admin page. Then he creates a named workspace through the form, watches
 * it start, opens, stops and deletes it. Bad input in the new-workspace form shows a message and creates nothing.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
class SelfServiceBrowserIT implements HubLogOnFailure.HasHub {
    private static final double MAX_CPUS = 2;

    @TempDir
    static Path directory;

    private BrowserHub hub;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        hub = BrowserHub.start(directory, 's',
                "adminUsers: [admin]",
                "openSignup: false",
                "allowNamedServers: true",
                "limits:",
                "  maxCpus: " + MAX_CPUS);
        browser = hub.browser();
        assertThat(hub.api().signup("admin", BrowserHub.PASSWORD)).isEqualTo(201);
        assertThat(hub.api().login("admin", BrowserHub.PASSWORD)).isEqualTo(200);
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
    void signupWaitsForAuthorization() throws Exception {
        String message = hub.signUp("dave");
        hub.screenshot("self-service-signup-done");

        assertThat(message).containsIgnoringCase("administrator");
        hub.submitLogin("dave");
        assertThat(hub.visibleErrors("#login-form")).as("login refused before authorization").isNotEmpty();
        assertThat(browser.getCurrentUrl()).contains("/hub/login");
        hub.screenshot("self-service-login-refused");
    }

    @Test
    @Order(2)
    void adminAuthorizesPendingSignup() throws Exception {
        hub.submitLogin("admin");
        hub.waitFor().until(driver -> driver.getCurrentUrl().endsWith("/hub/home"));
        hub.open("/hub/admin");
        WebElement pending = hub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#pending-list li[data-pending='dave']")));
        hub.screenshot("self-service-admin-pending");

        pending.findElement(By.xpath(".//button[normalize-space()='Authorize']")).click();

        hub.waitFor().until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#pending-list li[data-pending='dave']")));
        assertThat(hub.api().getJson("/hub/api/users/dave").path("authorized").asBoolean(true))
                .as("dave authorized").isTrue();
    }

    @Test
    @Order(3)
    void workspaceFormRejectsBadInput() throws Exception {
        hub.logIn("dave");
        assertThat(browser.findElement(By.id("new-cpu_limit-hint")).getText()).contains("at most 2");

        submitNewWorkspace("", "");
        assertThat(hub.fieldError("new-name-error")).as("empty name").isNotBlank();
        submitNewWorkspace("bad name!", "");
        assertThat(hub.fieldError("new-name-error")).as("forbidden characters").isNotBlank();
        assertThat(tooLongNameIsCutWhileTyping()).as("typed name cut to the field's maximum").isTrue();
        setNameBeyondMaximum();
        browser.findElement(By.cssSelector("#new-workspace-form button[type=submit]")).click();
        assertThat(hub.fieldError("new-name-error")).as("too long").contains("maximum");
        submitNewWorkspace("lab", "3");
        assertThat(hub.fieldError("new-cpu_limit-error")).as("CPU above the maximum").isNotBlank();
        hub.screenshot("self-service-form-errors");

        assertThat(serverNames()).as("servers after rejected forms").isEmpty();
    }

    @Test
    @Order(4)
    void namedWorkspaceLifeCycle() throws Exception {
        hub.open("/hub/home");
        submitNewWorkspace("lab", "1");

        // NOTE: a start that ends between two polls shows no progress bar, so "running" also passes this step.
        hub.waitFor().until(driver -> {
            WebElement progress = row("lab").findElement(By.cssSelector(".progress"));
            return progress.isDisplayed() || "running".equals(row("lab").getDomAttribute("data-state"));
        });
        hub.screenshot("self-service-starting");
        hub.waitFor().until(driver -> "running".equals(row("lab").getDomAttribute("data-state")));
        hub.screenshot("self-service-running");
        assertThat(row("lab").getText()).contains("1");

        // A second workspace with the same name is rejected next to the form and changes nothing.
        submitNewWorkspace("lab", "");
        assertThat(hub.visibleErrors("#new-workspace-form")).as("duplicate name").isNotEmpty();
        hub.screenshot("self-service-duplicate");
        assertThat(serverNames()).containsExactly("lab");

        String open = row("lab").findElement(By.linkText("Open")).getDomAttribute("href");
        String home = browser.getCurrentUrl();
        browser.get(URI.create(home).resolve(open).toString());
        hub.waitFor().until(driver -> driver.getCurrentUrl().contains("/user/dave/lab/"));
        hub.waitFor().until(driver -> driver.getPageSource().toLowerCase().contains("jupyter"));
        hub.screenshot("self-service-workspace");

        hub.open("/hub/home");
        row("lab").findElement(By.xpath(".//button[normalize-space()='Stop']")).click();
        hub.waitFor().until(driver -> "stopped".equals(row("lab").getDomAttribute("data-state")));
        hub.screenshot("self-service-stopped");

        row("lab").findElement(By.xpath(".//button[normalize-space()='Delete']")).click();
        hub.waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        hub.waitFor().until(driver -> driver.findElements(By.cssSelector("#servers tr[data-server='lab']")).isEmpty());
        assertThat(serverNames()).as("servers after delete").isEmpty();
    }

    private void submitNewWorkspace(String name, String cpus) {
        WebElement nameInput = browser.findElement(By.id("new-name"));
        nameInput.clear();
        nameInput.sendKeys(name);
        WebElement cpuInput = browser.findElement(By.id("new-cpu_limit"));
        cpuInput.clear();
        cpuInput.sendKeys(cpus);
        browser.findElement(By.cssSelector("#new-workspace-form button[type=submit]")).click();
    }

    /** Types a long name and checks that the input's maxlength cuts it to the maximum the hub accepts. */
    private boolean tooLongNameIsCutWhileTyping() {
        WebElement nameInput = browser.findElement(By.id("new-name"));
        nameInput.clear();
        nameInput.sendKeys("x".repeat(300));
        int maximum = Integer.parseInt(nameInput.getDomAttribute("maxlength"));
        return nameInput.getDomProperty("value").length() == maximum;
    }

    /** Sets a name longer than the maximum from a script, because typing and pasting stop at the maxlength. */
    private void setNameBeyondMaximum() {
        browser.executeScript("document.getElementById('new-name').value = arguments[0]", "x".repeat(300));
        WebElement cpuInput = browser.findElement(By.id("new-cpu_limit"));
        cpuInput.clear();
    }

    private WebElement row(String serverName) {
        return browser.findElement(By.cssSelector("#servers tr[data-server='" + serverName + "']"));
    }

    private List<String> serverNames() throws Exception {
        List<String> names = new java.util.ArrayList<>();
        hub.api().getJson("/hub/api/users/dave?include_stopped_servers=true").path("servers").fieldNames()
                .forEachRemaining(names::add);
        names.remove("");
        return names;
    }
}
