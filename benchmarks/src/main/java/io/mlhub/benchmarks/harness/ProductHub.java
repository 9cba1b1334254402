package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The product's hub ({@code mlhub.jar serve}) as the hub and spawn measures start it: one process on a free
 * loopback port with its own data folder, and the REST calls that get an admin API token the way a person
 * would (sign up {@code admin}, log in, create a token with the XSRF header).
 */
final class ProductHub {
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    /** The launcher that {@code bin/start} and the container image run. */
    private static final Path LAUNCHER = Path.of(System.getProperty("mlhub.repository", ".")).toAbsolutePath()
            .normalize().resolve("appliance-image/src/image/mlhub-java");

    private final ManagedProcess process;
    private final URI uri;
    private final HttpClient client;

    private ProductHub(ManagedProcess process, URI uri, HttpClient client) {
        this.process = process;
        this.uri = uri;
        this.client = client;
    }

    /**
     * Launches the hub without waiting for it, so that start-up can be timed from the launch. It starts the way
     * {@code bin/start} does: through {@code appliance-image/src/image/mlhub-java}, with the class data sharing
     * archive in the same cache folder.
     *
     * @param environment extra environment, e.g. {@code EXECUTION_MODE}
     * @param config YAML configuration file, or {@code null} for the defaults
     */
    static ProductHub launch(Stack stack, HttpClient client, String name, Path dataDir, int port,
            Map<String, String> environment, @Nullable Path config) throws IOException {
        Options options = stack.options();
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), cacheFolder().toString(),
                options.productJar().toString(), "serve", "--port", Integer.toString(port), "--data-dir",
                dataDir.toString()));
        if (config != null) {
            command.addAll(List.of("--config", config.toString()));
        }
        Path javaHome = options.productJava().toAbsolutePath().getParent().getParent();
        Map<String, String> env = new HashMap<>(Map.of("START_SSH", "false", "JAVA_HOME", javaHome.toString()));
        env.putAll(environment);
        ManagedProcess process = stack.launchUnwaited(name, command, env);
        return new ProductHub(process, URI.create("http://127.0.0.1:" + port), client);
    }

    /** Returns the cache folder of {@code bin/start}: {@code MLHUB_CACHE}, else {@code XDG_CACHE_HOME/mlhub}. */
    static Path cacheFolder() {
        String cache = System.getenv("MLHUB_CACHE");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mlhub");
    }

    ManagedProcess process() {
        return process;
    }

    URI uri() {
        return uri;
    }

    /** Polls {@code GET /hub/api/} every 10 ms and returns the seconds from launch until it returns 200. */
    double awaitApi() throws IOException, InterruptedException {
        return awaitApi(client, uri, process, "mlhub");
    }

    /** Polls like {@link #awaitApi()}, for any hub process that serves {@code GET /hub/api/}. */
    static double awaitApi(HttpClient client, URI hub, ManagedProcess process, String what)
            throws IOException, InterruptedException {
        long start = process.startNanos();
        long deadline = start + Duration.ofSeconds(120).toNanos();
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/hub/api/")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(what + " exited during start-up; last lines of its log:\n" + process.tail());
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IOException(what + " did not return 200 for GET /hub/api/ within 120 s; last lines of its log:\n"
                + process.tail());
    }

    /**
     * Signs up {@code admin} (an admin by default), logs in and creates an API token for it through the REST
     * API, sending the {@code _xsrf} cookie's value in {@code X-XSRFToken} as a browser page would.
     */
    String adminToken() throws IOException, InterruptedException {
        String password = Stack.randomToken();
        String credentials = "{\"username\":\"admin\",\"password\":\"" + password + "\"}";
        expect(post("/hub/signup", credentials, Map.of()), 201);

        HttpResponse<String> login = expect(post("/hub/login", credentials, Map.of()), 200);
        Map<String, String> cookies = new HashMap<>();
        for (String header : login.headers().allValues("Set-Cookie")) {
            String pair = header.split(";", 2)[0];
            int equals = pair.indexOf('=');
            if (equals > 0) {
                cookies.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
            }
        }
        String xsrf = cookies.get("_xsrf");
        if (xsrf == null) {
            throw new IOException("POST /hub/login set no _xsrf cookie; cookies: " + cookies.keySet());
        }
        String cookieHeader = String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .toList());

        HttpResponse<String> token = expect(post("/hub/api/users/admin/tokens", "{\"note\":\"benchmark\"}",
                Map.of("Cookie", cookieHeader, "X-XSRFToken", xsrf)), 201);
        Matcher matcher = TOKEN.matcher(token.body());
        if (!matcher.find()) {
            throw new IOException("POST /hub/api/users/admin/tokens returned no token: " + token.body());
        }
        return matcher.group(1);
    }

    private HttpResponse<String> post(String path, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri.resolve(path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) throws IOException {
        if (response.statusCode() != status) {
            String body = response.body();
            throw new IOException(response.request().method() + " " + response.uri().getPath() + " returned "
                    + response.statusCode() + " (expected: " + status + "): "
                    + body.substring(0, Math.min(200, body.length())));
        }
        return response;
    }
}
