package io.mlhub.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives Debian's Chromium through the pages against {@link FakeHub}: every page renders, forms
 * show the hub's errors next to their fields, progress is followed, and the browser-made SSH key
 * pair is valid for OpenSSH. Screenshots go to target/screenshots/.
 */
@Tag("slow")
class BrowserTest {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    // Generous, because other test suites may load this machine's CPUs while these run.
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path profile;

    @TempDir
    static Path downloads;

    private static ChromeDriver browser;
    private FakeHub hub;

    @BeforeAll
    static void startBrowser() throws IOException {
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1366,1000", "--lang=en-US");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stopHub() {
        browser.manage().deleteAllCookies();
        hub.close();
        assertThat(hub.failures).as("errors inside the fake hub").isEmpty();
    }

    @Test
    void everyPageRenders() throws IOException {
        for (String page : UiAssets.pageNames()) {
            open(page);

            assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-state")).as(page).isEqualTo("ready");
            assertThat(browser.getTitle()).as(page).endsWith("· ML Hub");
            screenshot(page);
        }
    }

    @Test
    void signedOutVisitorIsSentToLogin() {
        hub.signedIn = false;

        browser.get(hub.url("/hub/token"));

        waitFor().until(driver -> driver.getCurrentUrl().endsWith("/hub/login?next=%2Fhub%2Ftoken"));
        waitReady();
        assertThat(browser.findElement(By.id("login-next")).getDomProperty("value")).isEqualTo("/hub/token");
        assertThat(browser.findElement(By.linkText("Sign up")).isDisplayed()).isTrue();
    }

    @Test
    void hubErrorReplacesThePageContent() {
        hub.userLookupFails = true;

        open("home");

        assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("error");
        assertThat(browser.findElement(By.cssSelector("main .alert")).getText())
                .isEqualTo("Could not reach the hub (Database unavailable). Reload the page to try again.");
    }

    @Test
    void adminPageIsClosedToOtherUsers() {
        hub.admin = false;

        open("admin");

        assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("error");
        assertThat(browser.findElement(By.cssSelector("main .alert")).getText()).isEqualTo("Only administrators can use this page.");
        assertThat(browser.findElement(By.cssSelector("header nav")).getText()).doesNotContain("Admin");
        assertThat(hub.calls("GET", "/hub/api/users")).isEmpty();
    }

    @Test
    void logoComesFromTheHubSettings() {
        hub.logoUrl = "/hub/static/img/logo.svg?operator";

        open("home");

        assertThat(browser.findElement(By.cssSelector("header img.logo")).getDomProperty("src"))
                .isEqualTo(hub.url("/hub/static/img/logo.svg?operator"));
    }

    @Test
    void loginShowsHubErrorThenSignsIn() throws IOException {
        open("login");
        browser.findElement(By.id("login-username")).sendKeys("alice");
        browser.findElement(By.id("login-password")).sendKeys("wrong");
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();

        WebElement formError = waitVisible(By.cssSelector("#login-form [data-form-error]"));
        assertThat(formError.getText()).isEqualTo("Invalid user name or password.");
        screenshot("login-error");

        browser.findElement(By.id("login-password")).clear();
        browser.findElement(By.id("login-password")).sendKeys(FakeHub.PASSWORD, Keys.ENTER);
        waitFor().until(driver -> driver.getCurrentUrl().endsWith("/hub/home"));
    }

    @Test
    void signupExplainsThatAnAdminMustAuthorize() throws IOException {
        open("signup");
        assertThat(browser.findElement(By.id("signup-notice")).getText()).contains("administrator must authorize");

        fillSignup("taken", "long enough password");
        WebElement nameError = waitVisible(By.id("signup-username-error"));
        assertThat(nameError.getText()).isEqualTo("The user name taken is already in use.");
        screenshot("signup-error");

        fillSignup("newbie", "long enough password");
        WebElement done = waitVisible(By.id("signup-done"));
        assertThat(done.getText()).contains("An administrator must authorize it");
    }

    @Test
    void signupChecksNameAndPasswordBeforeSending() {
        open("signup");

        fillSignup("Bad Name!", "short");

        assertThat(waitVisible(By.id("signup-username-error")).getText()).contains("not allowed");
        assertThat(waitVisible(By.id("signup-password-error")).getText()).contains("at least 8");
        assertThat(hub.calls("POST", "/hub/signup")).isEmpty();
    }

    @Test
    void workspaceFormShowsFieldError() throws IOException {
        open("home");

        createWorkspace("taken", Map.of());

        WebElement error = waitVisible(By.id("new-name-error"));
        assertThat(error.getText()).isEqualTo("alice already has a workspace named taken.");
        WebElement field = error.findElement(By.xpath("./ancestor::div[contains(@class,'field')]"));
        assertThat(field.getDomAttribute("data-field")).isEqualTo("name");
        assertThat(browser.findElement(By.id("new-name")).getDomAttribute("aria-invalid")).isEqualTo("true");
        screenshot("home-field-error");
    }

    @Test
    void workspaceFormChecksLimitsLocally() {
        open("home");

        createWorkspace("big", Map.of("new-cpu_limit", "64", "new-mem_limit", "64G", "new-days_to_live", "400"));

        assertThat(waitVisible(By.id("new-cpu_limit-error")).getText()).contains("maximum of 8");
        assertThat(waitVisible(By.id("new-mem_limit-error")).getText()).contains("maximum of 16G");
        assertThat(waitVisible(By.id("new-days_to_live-error")).getText()).contains("maximum of 30");
        assertThat(hub.calls("POST", "/hub/api/users/alice/servers")).isEmpty();
    }

    @Test
    void envErrorOpensTheAdvancedSection() {
        open("home");
        browser.findElement(By.id("new-name")).sendKeys("envtest");
        browser.findElement(By.cssSelector("#new-workspace summary")).click();
        browser.findElement(By.id("new-env")).sendKeys("1BAD=x");
        browser.findElement(By.cssSelector("#new-workspace summary")).click();

        browser.findElement(By.cssSelector("#new-workspace button[type=submit]")).click();

        assertThat(waitVisible(By.id("new-env-error")).getText()).contains("\"1BAD\" is not a valid variable name");
        assertThat(browser.findElement(By.cssSelector("#new-workspace details")).getDomAttribute("open")).isNotNull();
        assertThat(hub.calls("POST", "/hub/api/users/alice/servers")).isEmpty();
    }

    @Test
    void newWorkspaceSendsOptionsAndFollowsProgress() throws IOException {
        open("home");

        createWorkspace("nb2", Map.of("new-cpu_limit", "2", "new-mem_limit", "2g", "new-days_to_live", "7"));

        waitFor().until(driver -> "running".equals(
                driver.findElement(By.cssSelector("tr[data-server='nb2']")).getDomAttribute("data-state")));
        WebElement row = browser.findElement(By.cssSelector("tr[data-server='nb2']"));
        assertThat(row.findElement(By.linkText("Open")).getDomAttribute("href")).isEqualTo("/user/alice/nb2/");
        List<FakeHub.Call> posts = hub.calls("POST", "/hub/api/users/alice/servers/nb2");
        assertThat(posts).hasSize(1);
        assertThat(posts.getFirst().body())
                .contains("\"image\":\"mlhub/workspace:1.0\"", "\"cpu_limit\":2", "\"mem_limit\":\"2G\"",
                        "\"days_to_live\":7", "\"volume\":true", "\"env\":{\"TZ\":\"Europe/Berlin\"}");
        browser.executeScript("window.scrollTo(0, 0)");
        screenshot("home-running");
    }

    @Test
    void newWorkspaceShowsProgressBeforeHubAnswers() throws IOException {
        hub.startGate = new CountDownLatch(1);
        open("home");

        createWorkspace("slow", Map.of());

        waitFor().until(driver -> driver.findElement(By.cssSelector("#new-workspace .progress-message")).getText()
                .equals("Pulling image mlhub/workspace:1.0"));
        assertThat(browser.findElement(By.cssSelector("#new-workspace progress")).isDisplayed()).isTrue();
        assertThat(hub.answeredStarts).as("start requests answered while the progress shows").isEmpty();
        screenshot("home-progress");

        hub.startGate.countDown();
        WebElement row = waitFor().until(driver -> {
            WebElement candidate = driver.findElement(By.cssSelector("tr[data-server='slow']"));
            return "running".equals(candidate.getDomAttribute("data-state")) ? candidate : null;
        });
        assertThat(hub.answeredStarts).containsExactly("slow");
        assertThat(row.findElement(By.cssSelector(".action-result")).getText()).isEqualTo("The workspace is running.");
        assertThat(browser.findElement(By.cssSelector("#new-workspace .progress")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.tagName("main")).getText()).doesNotContain("Starting…");
    }

    @Test
    void startButtonShowsProgressOnTheRow() {
        hub.setServerState("", "stopped");
        hub.startGate = new CountDownLatch(1);
        open("home");

        browser.findElement(By.cssSelector("tr[data-server=''] .actions")).findElement(By.xpath(".//button[text()='Start']")).click();

        waitFor().until(driver -> driver.findElement(By.cssSelector("tr[data-server=''] .progress-message")).getText()
                .equals("Pulling image mlhub/workspace:1.0"));
        WebElement row = browser.findElement(By.cssSelector("tr[data-server='']"));
        assertThat(row.getDomAttribute("data-state")).isEqualTo("starting");
        assertThat(row.findElement(By.cssSelector(".state")).getText()).isEqualTo("starting");
        assertThat(hub.answeredStarts).as("start requests answered while the progress shows").isEmpty();

        hub.startGate.countDown();
        waitFor().until(driver -> "running".equals(
                driver.findElement(By.cssSelector("tr[data-server='']")).getDomAttribute("data-state")));
        assertThat(hub.answeredStarts).containsExactly("");
        assertThat(browser.findElements(By.cssSelector("tr[data-server=''] progress"))).isEmpty();
    }

    @Test
    void adminDialogShowsProgressUntilReady() {
        hub.startGate = new CountDownLatch(1);
        open("admin");
        browser.findElement(By.cssSelector("tr[data-user='user00002'] .actions"))
                .findElement(By.xpath(".//button[text()='New workspace…']")).click();
        waitVisible(By.id("workspace-dialog"));
        browser.findElement(By.id("admin-dialog-name")).sendKeys("course");

        browser.findElement(By.cssSelector("#workspace-dialog button[type=submit]")).click();

        waitFor().until(driver -> driver.findElement(By.cssSelector("#workspace-dialog .progress-message")).getText()
                .equals("Pulling image mlhub/workspace:1.0"));
        assertThat(hub.answeredStarts).as("start requests answered while the progress shows").isEmpty();
        hub.startGate.countDown();
        waitFor().until(driver -> !driver.findElement(By.id("workspace-dialog")).isDisplayed());
        assertThat(hub.answeredStarts).containsExactly("course");
    }

    @Test
    void processEngineFormHidesContainerOptions() throws IOException {
        hub.supportedOptions = "[\"env\",\"days_to_live\"]";
        open("home");

        for (String hidden : List.of("image", "cpu_limit", "mem_limit", "gpus", "shm_size", "volume")) {
            assertThat(browser.findElements(By.id("new-" + hidden))).as("field %s hidden", hidden).isEmpty();
        }
        assertThat(browser.findElement(By.cssSelector("#new-workspace [data-note='no-limits']")).getText())
                .contains("enforces no CPU or memory limits");
        createWorkspace("proc", Map.of("new-days_to_live", "3"));

        waitFor().until(driver -> !hub.calls("POST", "/hub/api/users/alice/servers/proc").isEmpty());
        String body = hub.calls("POST", "/hub/api/users/alice/servers/proc").getFirst().body();
        assertThat(body).contains("\"days_to_live\":3", "\"env\":{\"TZ\":\"Europe/Berlin\"}");
        assertThat(body).doesNotContain("image", "cpu_limit", "mem_limit", "gpus", "shm_size", "volume");
    }

    @Test
    void homeStopsAndDeletesWorkspaces() {
        open("home");

        browser.findElement(By.cssSelector("tr[data-server=''] .actions")).findElement(By.xpath(".//button[text()='Stop']")).click();
        waitFor().until(driver -> "stopped".equals(
                driver.findElement(By.cssSelector("tr[data-server='']")).getDomAttribute("data-state")));
        browser.findElement(By.cssSelector("tr[data-server='analysis'] .actions")).findElement(By.xpath(".//button[text()='Delete']")).click();
        browser.switchTo().alert().accept();

        waitFor().until(driver -> !hub.calls("DELETE", "/hub/api/users/alice/servers/analysis").isEmpty());
        assertThat(hub.callsTo("DELETE", "/hub/api/users/alice/server")).hasSize(1);
        assertThat(hub.calls("DELETE", "/hub/api/users/alice/servers/analysis").getFirst().body()).isEqualTo("{\"remove\":true}");
    }

    @Test
    void failedStartShowsTheReason() {
        open("home");

        createWorkspace("broken", Map.of());

        WebElement result = waitFor().until(driver -> {
            WebElement element = driver.findElement(By.cssSelector("tr[data-server='broken'] .action-result"));
            return element.isDisplayed() && element.getText().contains("Spawn failed") ? element : null;
        });
        assertThat(result.getText()).isEqualTo("Spawn failed: image mlhub/missing:1 not found");
        assertThat(result.getDomAttribute("class")).contains("error");
    }

    @Test
    void withoutNamedServersOnlyTheDefaultServerShows() throws IOException {
        hub.allowNamedServers = false;
        open("home");

        assertThat(browser.findElement(By.id("new-workspace")).isDisplayed()).isFalse();
        List<WebElement> rows = browser.findElements(By.cssSelector("#servers tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().getDomAttribute("data-server")).isEmpty();
        screenshot("home-default-only");
    }

    @Test
    void generatedKeyPairWorksWithOpenSsh() throws Exception {
        open("ssh");
        browser.findElement(By.id("generate-button")).click();

        waitVisible(By.id("generate-result"));
        assertThat(hub.sshKeys).hasSize(1);
        String publicKey = hub.sshKeys.getFirst();
        assertThat(publicKey).startsWith("ssh-ed25519 AAAA").endsWith(" alice@ML-Hub");
        assertThat(hub.calls("POST", "/hub/api/users/alice/ssh-keys"))
                .allSatisfy(call -> assertThat(call.body()).doesNotContain("PRIVATE"));
        screenshot("ssh-key-created");

        Path publicFile = downloads.resolve("posted.pub");
        Files.writeString(publicFile, publicKey + "\n");
        assertThat(run("ssh-keygen", "-l", "-f", publicFile.toString())).contains("(ED25519)");

        Path privateFile = downloads.resolve("mlhub_ed25519");
        await().atMost(WAIT).until(() -> Files.isRegularFile(privateFile) && Files.size(privateFile) > 0);
        Files.setPosixFilePermissions(privateFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(run("ssh-keygen", "-y", "-f", privateFile.toString()).trim())
                .isEqualTo(publicKey);
        assertSignatureVerifies(privateFile, publicFile);
    }

    @Test
    void pastedPrivateKeyIsRejectedBeforeSending() {
        open("ssh");

        browser.findElement(By.id("key-text")).sendKeys("-----BEGIN OPENSSH PRIVATE KEY-----");
        browser.findElement(By.cssSelector("#key-form button[type=submit]")).click();

        assertThat(waitVisible(By.id("key-text-error")).getText()).contains("This is a private key");
        assertThat(hub.calls("POST", "/hub/api/users/alice/ssh-keys")).isEmpty();
    }

    @Test
    void tokenSecretIsShownOnceAfterCreation() throws IOException {
        open("token");

        browser.findElement(By.id("token-note")).sendKeys("ci");
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();

        WebElement secret = waitVisible(By.id("token-secret"));
        assertThat(secret.getText()).contains("0123456789abcdef0123456789abcdef");
        assertThat(hub.calls("POST", "/hub/api/users/alice/tokens").getFirst().body())
                .isEqualTo("{\"note\":\"ci\",\"expires_in\":604800}");
        screenshot("token-created");
    }

    @Test
    void adminPanelPagesOnTheHub() throws IOException {
        open("admin");
        assertThat(browser.findElement(By.id("page-status")).getText()).isEqualTo("Users 1–50 of 10,000");
        assertThat(lastUsersQuery()).contains("offset=0", "limit=50", "sort=name", "include_stopped_servers=true");

        browser.findElement(By.id("page-next")).click();
        waitFor().until(driver -> driver.findElement(By.id("page-status")).getText().equals("Users 51–100 of 10,000"));
        assertThat(lastUsersQuery()).contains("offset=50");

        browser.findElement(By.cssSelector("button.sort[data-sort='name']")).click();
        waitFor().until(driver -> lastUsersQuery().contains("sort=-name"));
        waitFor().until(driver -> driver.findElement(By.cssSelector("tr.user-row")).getDomAttribute("data-user").equals("user10000"));

        browser.findElement(By.id("filter-name")).sendKeys("user0999");
        waitFor().until(driver -> driver.findElement(By.id("page-status")).getText().equals("Users 1–10 of 10"));
        assertThat(lastUsersQuery()).contains("name_filter=user0999", "offset=0");
        screenshot("admin-search");
    }

    @Test
    void adminAuthorizesPendingSignUp() {
        open("admin");

        WebElement pending = waitVisible(By.cssSelector("[data-pending='newbie']"));
        pending.findElement(By.xpath(".//button[text()='Authorize']")).click();

        waitFor().until(driver -> !hub.calls("PATCH", "/hub/api/users/newbie").isEmpty());
        assertThat(hub.calls("PATCH", "/hub/api/users/newbie").getFirst().body()).isEqualTo("{\"authorized\":true}");
    }

    @Test
    void adminStartsAWorkspaceForAUserWithOptions() throws IOException {
        open("admin");

        browser.findElement(By.cssSelector("tr[data-user='user00002'] .actions"))
                .findElement(By.xpath(".//button[text()='New workspace…']")).click();
        waitVisible(By.id("workspace-dialog"));
        browser.findElement(By.id("admin-dialog-name")).sendKeys("course");
        browser.findElement(By.id("admin-dialog-cpu_limit")).sendKeys("9");
        browser.findElement(By.cssSelector("#workspace-dialog button[type=submit]")).click();
        assertThat(waitVisible(By.id("admin-dialog-cpu_limit-error")).getText()).contains("maximum of 8");
        screenshot("admin-workspace-dialog");

        browser.findElement(By.id("admin-dialog-cpu_limit")).clear();
        browser.findElement(By.id("admin-dialog-cpu_limit")).sendKeys("4");
        browser.findElement(By.cssSelector("#workspace-dialog button[type=submit]")).click();

        waitFor().until(driver -> !hub.calls("POST", "/hub/api/users/user00002/servers/course").isEmpty());
        assertThat(hub.calls("POST", "/hub/api/users/user00002/servers/course").getFirst().body()).contains("\"cpu_limit\":4");
    }

    @Test
    void adminStartsAnotherUsersDefaultServer() throws IOException {
        open("admin");

        browser.findElement(By.cssSelector("tr[data-user='user00003'] button[aria-controls]")).click();
        WebElement row = waitVisible(By.cssSelector("tr[data-servers-of='user00003'] tr[data-server='']"));
        assertThat(row.getText()).contains("(default)", "stopped");
        row.findElement(By.xpath(".//button[text()='Start']")).click();

        waitFor().until(driver -> !hub.calls("POST", "/hub/api/users/user00003/server").isEmpty());
        assertThat(hub.calls("POST", "/hub/api/users/user00003/server").getFirst().body()).isEmpty();
        screenshot("admin-user-servers");
    }

    @Test
    void adminAddsSeveralUsersAtOnce() {
        open("admin");
        WebElement names = browser.findElement(By.id("add-usernames"));

        names.sendKeys("bob, Bad!name");
        browser.findElement(By.cssSelector("#add-users-form button[type=submit]")).click();
        assertThat(waitVisible(By.id("add-usernames-error")).getText()).contains("\"Bad!name\" contains characters");
        assertThat(hub.calls("POST", "/hub/api/users")).isEmpty();

        names.clear();
        names.sendKeys("bob\ncarol");
        browser.findElement(By.id("add-admin")).click();
        browser.findElement(By.cssSelector("#add-users-form button[type=submit]")).click();

        WebElement result = waitVisible(By.id("add-users-result"));
        assertThat(result.getText()).isEqualTo("Created: bob. Already existed: carol.");
        assertThat(hub.calls("POST", "/hub/api/users").getFirst().body())
                .isEqualTo("{\"usernames\":[\"bob\",\"carol\"],\"admin\":true}");
    }

    @Test
    void changePasswordShowsWrongCurrentPassword() {
        open("change-password");

        browser.findElement(By.id("password-current")).sendKeys("not it");
        browser.findElement(By.id("password-new")).sendKeys("a new long password");
        browser.findElement(By.id("password-confirm")).sendKeys("a new long password");
        browser.findElement(By.cssSelector("#password-form button[type=submit]")).click();

        assertThat(waitVisible(By.id("password-current-error")).getText()).isEqualTo("The current password is wrong.");
        assertThat(browser.findElement(By.id("password-done")).isDisplayed()).isFalse();
    }

    @Test
    void adminRunsCleanupAction() {
        open("admin");

        browser.findElement(By.cssSelector("[data-cleanup='expired']")).click();

        WebElement output = waitFor().until(driver -> {
            WebElement element = driver.findElement(By.cssSelector("[data-cleanup='expired'] + .action-result"));
            return element.getText().startsWith("Removed") ? element : null;
        });
        assertThat(output.getText()).isEqualTo("Removed 0 containers, 0 networks and 0 volumes.");
        assertThat(hub.calls("POST", "/services/cleanup-service/expired")).hasSize(1);
    }

    @Test
    void sshPageShowsSetupForTheChosenWorkspace() throws IOException {
        browser.get(hub.url("/hub/ssh?user=alice&server=analysis"));
        waitReady();

        assertThat(browser.findElement(By.id("access-details")).getText()).contains("ssh mlhub-analysis.alice");
        assertThat(lastCall("GET", "/hub/api/users/alice/servers/analysis/ssh-access")).isNotNull();
        assertThat(browser.findElement(By.id("host-keys")).getText()).contains("SHA256:Fq3mYbC2Yq1fM0nQ9aX0dVbq8tT8y3p4sQ2kzZ9y0Xw");
        screenshot("ssh");
    }

    private void open(String page) {
        browser.get(hub.url("/hub/" + page));
        waitReady();
    }

    private void waitReady() {
        try {
            waitFor().until(driver -> driver.findElement(By.tagName("body")).getDomAttribute("data-state") != null);
        } catch (TimeoutException e) {
            AssertionError failure = new AssertionError("page did not finish loading: " + browser.getCurrentUrl()
                    + "\nrequests the hub received: " + hub.requestLog, e);
            try {
                screenshot("failed-" + System.currentTimeMillis());
            } catch (IOException | RuntimeException screenshotFailure) {
                failure.addSuppressed(screenshotFailure);
            }
            throw failure;
        }
    }

    private WebDriverWait waitFor() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        // Pages redraw their tables after each response, so a found row may be replaced a moment later.
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private WebElement waitVisible(By locator) {
        return waitFor().until(driver -> {
            WebElement element = driver.findElement(locator);
            return element.isDisplayed() ? element : null;
        });
    }

    private void fillSignup(String name, String password) {
        for (String id : List.of("signup-username", "signup-password", "signup-confirm")) {
            browser.findElement(By.id(id)).clear();
        }
        browser.findElement(By.id("signup-username")).sendKeys(name);
        browser.findElement(By.id("signup-password")).sendKeys(password);
        browser.findElement(By.id("signup-confirm")).sendKeys(password);
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
    }

    private void createWorkspace(String name, Map<String, String> values) {
        browser.findElement(By.id("new-name")).sendKeys(name);
        values.forEach((id, value) -> {
            WebElement input = browser.findElement(By.id(id));
            input.clear();
            input.sendKeys(value);
        });
        browser.findElement(By.cssSelector("#new-workspace summary")).click();
        browser.findElement(By.id("new-env")).sendKeys("TZ=Europe/Berlin");
        browser.findElement(By.cssSelector("#new-workspace button[type=submit]")).click();
    }

    private String lastUsersQuery() {
        return hub.calls("GET", "/hub/api/users").stream()
                .filter(call -> call.path().equals("/hub/api/users") && !call.query().contains("authorized=false"))
                .reduce((first, second) -> second)
                .map(FakeHub.Call::query)
                .orElse("");
    }

    private FakeHub.Call lastCall(String method, String path) {
        List<FakeHub.Call> calls = hub.calls(method, path);
        return calls.isEmpty() ? null : calls.getLast();
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }

    /** Signs a file with the downloaded private key and checks the signature with the posted public key. */
    private static void assertSignatureVerifies(Path privateFile, Path publicFile) throws Exception {
        Path message = downloads.resolve("message.txt");
        Files.writeString(message, "signed in a test\n");
        run("ssh-keygen", "-Y", "sign", "-f", privateFile.toString(), "-n", "file", message.toString());
        Matcher key = Pattern.compile("^(\\S+ \\S+)").matcher(Files.readString(publicFile));
        assertThat(key.find()).isTrue();
        Path allowed = downloads.resolve("allowed_signers");
        Files.writeString(allowed, "alice " + key.group(1) + "\n");
        Process verify = new ProcessBuilder("ssh-keygen", "-Y", "verify", "-f", allowed.toString(), "-I", "alice",
                "-n", "file", "-s", message + ".sig")
                .redirectInput(message.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).contains("Good \"file\" signature for alice");
    }
}
