package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
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
 * The admin hands out workspaces, in Debian's Chromium against the built jar (process mode, TLS). The admin
 * signs up, adds carol on the Admin page, starts a named workspace for her with a CPU limit and reads its SSH
 * access. Added users have no password, so carol sets hers by signing up with the same name. Then she logs in
 * and opens the workspace through the proxy.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
class AdminHandsOutBrowserIT implements HubLogOnFailure.HasHub {
    @TempDir
    static Path directory;

    private BrowserHub hub;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        hub = BrowserHub.start(directory, 'a',
                "adminUsers: [admin]",
                "openSignup: false",
                "allowNamedServers: true",
                "limits:",
                "  maxCpus: 2");
        browser = hub.browser();
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
    void adminAddsCarol() throws Exception {
        hub.signUp("admin");
        hub.logIn("admin");
        assertThat(hub.api().login("admin", BrowserHub.PASSWORD)).isEqualTo(200);
        hub.open("/hub/admin");

        browser.findElement(By.id("add-usernames")).sendKeys("carol");
        browser.findElement(By.cssSelector("#add-users-form button[type=submit]")).click();

        hub.waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("add-users-result"), "carol"));
        hub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(userRow()));
        hub.screenshot("admin-hands-out-added");
        assertThat(hub.api().getJson("/hub/api/users/carol").path("name").asText()).isEqualTo("carol");
    }

    @Test
    @Order(2)
    void adminStartsWorkspaceWithCpuLimit() throws Exception {
        browser.findElement(userRow()).findElement(By.xpath(".//button[normalize-space()='New workspace…']")).click();
        hub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("admin-dialog-name"))).sendKeys("lab");
        WebElement cpus = browser.findElement(By.id("admin-dialog-cpu_limit"));
        cpus.clear();
        cpus.sendKeys("1.5");
        hub.screenshot("admin-hands-out-dialog");
        browser.findElement(By.cssSelector("#workspace-dialog-body button[type=submit]")).click();

        hub.waitFor().until(driver -> "running".equals(labRow().getDomAttribute("data-state")));
        hub.screenshot("admin-hands-out-running");
        JsonNode lab = hub.api().getJson("/hub/api/users/carol").path("servers").path("lab");
        assertThat(lab.path("user_options").path("cpu_limit").asDouble()).as("options of lab: %s", lab).isEqualTo(1.5);
        assertThat(labRow().getText()).contains("1.5");
    }

    @Test
    @Order(3)
    void adminReadsSshAccess() throws Exception {
        labRow().findElement(By.linkText("SSH access")).click();
        hub.waitReady();

        WebElement config = hub.waitFor().until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#access-details pre[aria-label='SSH config block']")));
        String block = config.getDomProperty("textContent");
        String setup = browser.findElement(By.cssSelector("#access-details pre[aria-label='Setup command']"))
                .getDomProperty("textContent");
        String command = browser.findElement(By.cssSelector("#access-details pre[aria-label='SSH command']"))
                .getText();
        hub.screenshot("admin-hands-out-ssh");

        assertThat(block).contains("Host ").contains("ProxyJump").contains("carol");
        assertThat(setup).isNotBlank();
        assertThat(command).startsWith("ssh ");
    }

    @Test
    @Order(4)
    void carolOpensHandedOutWorkspace() throws Exception {
        browser.manage().deleteAllCookies();
        hub.signUp("carol");
        hub.logIn("carol");

        WebElement row = hub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#servers tr[data-server='lab']")));
        assertThat(row.getDomAttribute("data-state")).isEqualTo("running");
        hub.screenshot("admin-hands-out-carol-home");

        String open = row.findElement(By.linkText("Open")).getDomAttribute("href");
        browser.get(URI.create(browser.getCurrentUrl()).resolve(open).toString());
        hub.waitFor().until(driver -> driver.getCurrentUrl().contains("/user/carol/lab/"));
        hub.waitFor().until(driver -> driver.getPageSource().toLowerCase().contains("jupyter"));
        assertThat(URI.create(browser.getCurrentUrl()).getPath()).startsWith("/user/carol/");
        hub.screenshot("admin-hands-out-carol-workspace");
    }

    private static By userRow() {
        return By.cssSelector("#users tr.user-row[data-user='carol']");
    }

    private WebElement labRow() {
        return browser.findElement(By.cssSelector("#users tr.servers-row[data-servers-of='carol'] tr[data-server='lab']"));
    }
}
