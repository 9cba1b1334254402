package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product as users reach a workspace over SSH: {@code mlhub.jar serve} with the process spawner, which starts
 * one OpenSSH sshd per workspace, and sshmux on the hub's public port. Sets up the {@code admin} account through
 * the hub API the way the pages do (sign-up, login with the session and XSRF cookies, an SSH key, the default
 * server) and returns the SSH client settings the hub generates for that workspace.
 */
final class ProductSsh {
    private static final Logger logger = LoggerFactory.getLogger(ProductSsh.class);
    private static final String USER = "admin";
    private static final Duration HUB_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SPAWN_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The hub's SSH settings for {@code admin}'s default workspace.
     *
     * @param port the hub's public port, where sshmux listens
     * @param alias the {@code Host} name of the generated config block
     * @param sshConfig the generated block, as {@code GET .../server/ssh-access} returns it
     */
    record Access(int port, String alias, String sshConfig) {
        Access {
            requireNonNull(alias, "alias");
            requireNonNull(sshConfig, "sshConfig");
        }

        /** Returns the generated block with its {@code IdentityFile} pointing at {@code identity}. */
        String configWith(Path identity) {
            return sshConfig.lines()
                    .map(line -> line.strip().startsWith("IdentityFile ") ? "  IdentityFile " + identity : line)
                    .reduce("", (block, line) -> block + line + "\n");
        }
    }

    private final Stack stack;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5)).build();

    ProductSsh(Stack stack) {
        this.stack = stack;
    }

    /**
     * Starts the hub, registers {@code publicKey} for {@code admin} and starts admin's default workspace.
     *
     * @throws IOException if the product is not ready, does not start, or an API call fails (with its status and body)
     */
    Access start(Path publicKey) throws IOException, InterruptedException {
        String missing = stack.productMissingReason();
        if (missing != null) {
            throw new IOException(missing);
        }
        int port = Stack.freePort();
        Path dataDir = Files.createDirectories(stack.dir().resolve("mlhub-data"));
        Path config = stack.dir().resolve("mlhub.yaml");
        Files.writeString(config, """
                proxy:
                  bindAddress: 127.0.0.1
                  apiPort: %d
                ssh:
                  publicHost: 127.0.0.1
                """.formatted(Stack.freePort()));
        Options options = stack.options();
        stack.launch("mlhub-serve", List.of(options.productJava().toString(), "-Xms256m", "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED", "-jar", options.productJar().toString(), "serve",
                "--config", config.toString(), "--port", Integer.toString(port), "--data-dir", dataDir.toString()),
                Map.of("EXECUTION_MODE", "process"), port);
        URI hub = URI.create("http://127.0.0.1:" + port);
        awaitHub(hub);

        String password = Stack.randomToken();
        String credentials = JSON.writeValueAsString(Map.of("username", USER, "password", password));
        send(hub, "POST", "/hub/signup", credentials, 201);
        send(hub, "POST", "/hub/login", credentials, 200);
        String key = Files.readString(publicKey).strip();
        send(hub, "POST", "/hub/api/users/" + USER + "/ssh-keys", JSON.writeValueAsString(Map.of("key", key)), 201);
        send(hub, "POST", "/hub/api/users/" + USER + "/server", "{}", 201, 202);

        JsonNode access = awaitRunning(hub);
        logger.info("product workspace ready port={} target={} alias={}", port, access.path("target").asText(),
                access.path("alias").asText());
        return new Access(port, access.path("alias").asText(), access.path("sshConfig").asText());
    }

    /** Waits until {@code GET /hub/api/} returns 200, because the public port opens before the hub is ready. */
    private void awaitHub(URI hub) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + HUB_START_TIMEOUT.toNanos();
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/hub/api/")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("the hub did not return 200 for GET /hub/api/ within " + HUB_START_TIMEOUT.toSeconds()
                + " s");
    }

    /** Polls the workspace's SSH access settings until their {@code running} field is true. */
    private JsonNode awaitRunning(URI hub) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SPAWN_TIMEOUT.toNanos();
        String path = "/hub/api/users/" + USER + "/server/ssh-access";
        JsonNode access = JSON.createObjectNode();
        while (System.nanoTime() < deadline) {
            access = JSON.readTree(send(hub, "GET", path, null, 200));
            if (access.path("running").asBoolean()) {
                return access;
            }
            JsonNode user = JSON.readTree(send(hub, "GET", "/hub/api/users/" + USER, null, 200));
            if (user.path("pending").isNull() && user.path("server").isNull()) {
                throw new IOException("the default server of " + USER + " stopped during its start: " + user);
            }
            Thread.sleep(250);
        }
        throw new IOException("the default server of " + USER + " did not run within " + SPAWN_TIMEOUT.toSeconds()
                + " s: " + access);
    }

    /** Sends one request with the session cookie and XSRF token, failing unless the status is one of those given. */
    private String send(URI hub, String method, String path, String body, int... expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        String xsrf = xsrfToken();
        if (xsrf != null) {
            request.header("X-XSRFToken", xsrf);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response.body();
            }
        }
        String text = response.body();
        throw new IOException(method + " " + path + " returned " + response.statusCode() + ": "
                + text.substring(0, Math.min(300, text.length())));
    }

    private String xsrfToken() {
        return cookies.getCookieStore().getCookies().stream().filter(cookie -> cookie.getName().equals("_xsrf"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }
}
