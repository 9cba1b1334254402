package io.mlhub.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A stand-in for the control plane on 127.0.0.1: it serves the pages and static files the way
 * the control plane is meant to (through {@link UiAssets}), and a small in-memory version of
 * the API calls the pages make. State-changing API calls must carry the XSRF header, as on
 * the real hub. Every API request is recorded for the tests to inspect.
 */
final class FakeHub implements AutoCloseable {

    static final String XSRF = "fake-xsrf-token";
    static final String USER = "alice";
    static final String PASSWORD = "secret";

    /** One recorded API request. */
    record Call(String method, String path, String query, String body) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<String> sshKeys = new CopyOnWriteArrayList<>();
    /** Exceptions thrown while handling a request. Any entry means the fake itself has a bug. */
    final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    /** Every request as "METHOD path", in arrival order, to explain a page that never finished loading. */
    final List<String> requestLog = new CopyOnWriteArrayList<>();
    volatile boolean allowNamedServers = true;
    volatile boolean signedIn = true;
    volatile boolean userLookupFails = false;
    volatile boolean admin = true;
    volatile String logoUrl = null;
    /**
     * When set, a server start delays its POST response and its ready event until the test counts
     * this down, as a hub does while a spawn takes longer than its slow-spawn timeout.
     */
    volatile CountDownLatch startGate = null;
    /** Names of the servers whose start POST has been responded to, in response order. */
    final List<String> answeredStarts = new CopyOnWriteArrayList<>();
    /** The options the fake engine supports, as a JSON array, or null to leave the field out of ui-config. */
    volatile String supportedOptions = null;

    private final HttpServer server;
    private final Map<String, String> servers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> users = IntStream.rangeClosed(1, 10_000).mapToObj(i -> "user%05d".formatted(i)).toList();

    FakeHub() throws IOException {
        servers.put("", "running");
        servers.put("analysis", "stopped");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Call> calls(String method, String pathPrefix) {
        return calls.stream().filter(c -> c.method.equals(method) && c.path.startsWith(pathPrefix)).toList();
    }

    List<Call> callsTo(String method, String path) {
        return calls.stream().filter(c -> c.method.equals(method) && c.path.equals(path)).toList();
    }

    /** Sets the state of one of alice's servers: running, stopped, starting or failing. */
    void setServerState(String name, String state) {
        servers.put(name, state);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            requestLog.add(method + " " + path);
            if (path.startsWith("/hub/static/")) {
                serveResource(exchange, UiAssets.staticResource(path.substring("/hub/static/".length())));
            } else if (path.startsWith("/hub/api/") || path.startsWith("/services/")) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                calls.add(new Call(method, path, Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""), body));
                handleApi(exchange, method, path, body);
            } else if (method.equals("POST")) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                calls.add(new Call(method, path, "", body));
                handleForm(exchange, path, body);
            } else if (path.equals("/hub/logout")) {
                exchange.getResponseHeaders().add("Location", "/hub/login");
                exchange.sendResponseHeaders(302, -1);
            } else {
                servePage(exchange, path);
            }
        } catch (RuntimeException e) {
            failures.add(e);
            throw e;
        }
    }

    private void servePage(HttpExchange exchange, String path) throws IOException {
        String name = path.startsWith("/hub/") ? path.substring("/hub/".length()) : "";
        if (!UiAssets.pageNames().contains(name)) {
            send(exchange, 404, "text/plain", "not found");
            return;
        }
        exchange.getResponseHeaders().add("Set-Cookie", "_xsrf=" + XSRF + "; Path=/; SameSite=Lax");
        serveResource(exchange, Optional.of(UiAssets.pageResource(name)));
    }

    private void serveResource(HttpExchange exchange, Optional<String> resource) throws IOException {
        try (InputStream in = resource.map(r -> getClass().getClassLoader().getResourceAsStream(r)).orElse(null)) {
            if (in == null) {
                send(exchange, 404, "text/plain", "not found");
                return;
            }
            byte[] bytes = in.readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", UiAssets.contentType(resource.get()));
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private void handleForm(HttpExchange exchange, String path, String body) throws IOException {
        switch (path) {
            case "/hub/login" -> {
                if (body.contains("\"password\":\"" + PASSWORD + "\"")) {
                    json(exchange, 200, "{\"next\":\"/hub/home\"}");
                } else {
                    error(exchange, 403, "Invalid user name or password.", null);
                }
            }
            case "/hub/signup" -> {
                if (body.contains("\"username\":\"taken\"")) {
                    error(exchange, 409, "The user name taken is already in use.", "username");
                } else {
                    json(exchange, 201, "{\"name\":\"newbie\",\"authorized\":false}");
                }
            }
            case "/hub/change-password" -> {
                if (body.contains("\"current_password\":\"" + PASSWORD + "\"")) {
                    json(exchange, 200, "{\"message\":\"Password changed.\"}");
                } else {
                    error(exchange, 403, "The current password is wrong.", "current_password");
                }
            }
            default -> error(exchange, 404, "Not found", null);
        }
    }

    private void handleApi(HttpExchange exchange, String method, String path, String body) throws IOException {
        boolean changesState = !method.equals("GET");
        if (changesState && !XSRF.equals(exchange.getRequestHeaders().getFirst("X-XSRFToken"))) {
            error(exchange, 403, "'_xsrf' argument missing from POST", null);
            return;
        }
        String userPath = "/hub/api/users/" + USER;
        if (path.equals("/hub/api/ui-config")) {
            json(exchange, 200, uiConfig());
        } else if (path.equals("/hub/api/user") && userLookupFails) {
            error(exchange, 500, "Database unavailable", null);
        } else if (path.equals("/hub/api/user") && !signedIn) {
            error(exchange, 403, "Missing or invalid credentials.", null);
        } else if (path.equals("/hub/api/user")) {
            json(exchange, 200, "{\"kind\":\"user\",\"name\":\"" + USER + "\",\"admin\":" + admin + ",\"groups\":[],\"scopes\":[]}");
        } else if (path.equals(userPath)) {
            json(exchange, 200, userModel());
        } else if (path.equals("/hub/api/users") && method.equals("GET")) {
            json(exchange, 200, userPage(query(exchange)));
        } else if (path.equals("/hub/api/users")) {
            json(exchange, 201, "[{\"name\":\"bob\",\"admin\":false}]");
        } else if (path.startsWith(userPath + "/ssh-keys")) {
            handleSshKeys(exchange, method, body);
        } else if (path.startsWith(userPath + "/tokens")) {
            handleTokens(exchange, method);
        } else if (path.endsWith("/ssh-access")) {
            json(exchange, 200, sshAccess());
        } else if (path.endsWith("/progress")) {
            streamProgress(exchange, serverName(path.substring(0, path.length() - "/progress".length())));
        } else if (path.matches("/hub/api/users/[^/]+/servers?(/[^/]+)?")) {
            // Other users' servers share alice's table, which is enough for the admin panel's calls.
            handleServer(exchange, method, serverName(path));
        } else if (path.startsWith("/services/cleanup-service/")) {
            json(exchange, 200, "{\"message\":\"Removed 0 containers, 0 networks and 0 volumes.\"}");
        } else if (path.startsWith("/hub/api/users/") && (method.equals("PATCH") || method.equals("DELETE"))) {
            json(exchange, 200, "{}");
        } else {
            error(exchange, 404, "Not found: " + path, null);
        }
    }

    private static String serverName(String path) {
        Matcher matcher = Pattern.compile("/servers/([^/]+)$").matcher(path);
        return matcher.find() ? URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8) : "";
    }

    private void handleServer(HttpExchange exchange, String method, String name) throws IOException {
        if (method.equals("DELETE")) {
            servers.put(name, "stopped");
            exchange.sendResponseHeaders(204, -1);
        } else if (name.equals("taken")) {
            error(exchange, 409, "alice already has a workspace named taken.", "name");
        } else {
            servers.put(name, name.equals("broken") ? "failing" : "starting");
            CountDownLatch gate = startGate;
            if (gate == null) {
                answeredStarts.add(name);
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            awaitGate(gate);
            servers.put(name, "running");
            answeredStarts.add(name);
            exchange.sendResponseHeaders(201, -1);
        }
    }

    // Like JupyterHub: 404 before the server exists, 400 for a stopped one, and one ready event
    // for a running one. A page that opens the stream while its POST is in flight gets these.
    private void streamProgress(HttpExchange exchange, String name) throws IOException {
        String state = servers.get(name);
        if (state == null) {
            error(exchange, 404, "No such server: " + name, null);
            return;
        }
        if (state.equals("stopped")) {
            error(exchange, 400, "Server " + name + " is not running", null);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        if (state.equals("running")) {
            event(out, readyEvent(name));
            return;
        }
        event(out, "{\"progress\":0,\"message\":\"Server requested\"}");
        pause();
        event(out, "{\"progress\":50,\"message\":\"Pulling image mlhub/workspace:1.0\"}");
        pause();
        CountDownLatch gate = startGate;
        if (gate != null) {
            awaitGate(gate);
        }
        if ("failing".equals(servers.get(name))) {
            servers.put(name, "stopped");
            event(out, "{\"progress\":100,\"failed\":true,\"message\":\"Spawn failed: image mlhub/missing:1 not found\"}");
        } else {
            servers.put(name, "running");
            event(out, readyEvent(name));
        }
    }

    private static String readyEvent(String name) {
        String url = name.isEmpty() ? "/user/alice/" : "/user/alice/" + name + "/";
        return "{\"progress\":100,\"ready\":true,\"message\":\"Server ready\",\"url\":" + quote(url) + "}";
    }

    private static void awaitGate(CountDownLatch gate) {
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void pause() {
        try {
            Thread.sleep(400);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handleSshKeys(HttpExchange exchange, String method, String body) throws IOException {
        switch (method) {
            case "POST" -> {
                Matcher matcher = Pattern.compile("\"key\":\"([^\"]*)\"").matcher(body);
                if (!matcher.find()) {
                    error(exchange, 400, "Missing key", "key");
                    return;
                }
                sshKeys.add(matcher.group(1));
                json(exchange, 201, keyJson(sshKeys.size() - 1));
            }
            case "DELETE" -> {
                sshKeys.clear();
                exchange.sendResponseHeaders(204, -1);
            }
            default -> {
                List<String> entries = new ArrayList<>();
                for (int i = 0; i < sshKeys.size(); i++) {
                    entries.add(keyJson(i));
                }
                json(exchange, 200, "{\"ssh_keys\":[" + String.join(",", entries) + "]}");
            }
        }
    }

    private String keyJson(int index) {
        return "{\"id\":\"k" + index + "\",\"key\":" + quote(sshKeys.get(index)) + ",\"created\":\"2026-12-04T10:00:00.000000Z\"}";
    }

    private void handleTokens(HttpExchange exchange, String method) throws IOException {
        switch (method) {
            case "POST" -> json(exchange, 201, "{\"id\":\"a7\",\"note\":\"ci\",\"token\":\"0123456789abcdef0123456789abcdef\","
                    + "\"created\":\"2026-12-04T10:00:00.000000Z\",\"expires_at\":null,\"last_activity\":null}");
            case "DELETE" -> exchange.sendResponseHeaders(204, -1);
            default -> json(exchange, 200, "{\"api_tokens\":[{\"id\":\"a3\",\"kind\":\"api_token\",\"note\":\"notebook sync\","
                    + "\"created\":\"2026-11-30T09:00:00.000000Z\",\"last_activity\":\"2026-12-04T09:30:00.000000Z\","
                    + "\"expires_at\":\"2026-12-30T09:00:00.000000Z\",\"oauth_client\":null}]}");
        }
    }

    private String uiConfig() {
        return """
                {"hubName":"ML Hub","version":"0.1.0","logoUrl":%s,
                 "signup":{"enabled":true,"open":false},
                 "names":{"user":{"pattern":"^[a-z0-9][a-z0-9._-]*$","maxLength":32,
                                  "description":"Lower-case letters, digits, dots, underscores and hyphens, at most 32 characters."},
                          "server":{"pattern":"^[a-z0-9][a-z0-9-]*$","maxLength":25,
                                    "description":"Lower-case letters, digits and hyphens, at most 25 characters."},
                          "minPasswordLength":8},
                 "allowNamedServers":%s,"namedServerLimitPerUser":5,
                 "workspaceImages":["mlhub/workspace:1.0","mlhub/workspace-gpu:1.0"],
                 "limits":{"maxCpus":8,"maxMemory":"16G","maxGpus":2,"maxDaysToLive":30,"maxShmSize":"4G"},
                 "defaults":{"volume":true,"shm_size":"256M"},
                 "gpusAvailable":true,%s
                 "ssh":{"enabled":true,"host":"127.0.0.1","port":8443,"keyFileName":"mlhub_ed25519",
                        "hostKeyFingerprints":[{"type":"ssh-ed25519","fingerprint":"SHA256:Fq3mYbC2Yq1fM0nQ9aX0dVbq8tT8y3p4sQ2kzZ9y0Xw"},
                                               {"type":"ssh-rsa","fingerprint":"SHA256:9Qm2b1d8cK3v7xw0pL4rT6yU1oP5aS8dF2gH4jK6lZx"}]}}
                """.formatted(logoUrl == null ? "null" : quote(logoUrl), allowNamedServers,
                supportedOptions == null ? "" : "\"supportedOptions\":" + supportedOptions + ",");
    }

    private String userModel() {
        List<String> entries = new ArrayList<>();
        synchronized (servers) {
            servers.forEach((name, state) -> entries.add(quote(name) + ":" + serverJson(name, state)));
        }
        return "{\"kind\":\"user\",\"name\":\"alice\",\"admin\":true,\"authorized\":true,\"servers\":{"
                + String.join(",", entries) + "}}";
    }

    private static String serverJson(String name, String state) {
        String prefix = name.isEmpty() ? "/user/alice/" : "/user/alice/" + name + "/";
        String api = name.isEmpty() ? "/hub/api/users/alice/server" : "/hub/api/users/alice/servers/" + name;
        boolean starting = state.equals("starting") || state.equals("failing");
        return "{\"name\":" + quote(name) + ",\"ready\":" + state.equals("running")
                + ",\"pending\":" + (starting ? "\"spawn\"" : "null")
                + ",\"stopped\":" + state.equals("stopped")
                + ",\"url\":" + quote(prefix) + ",\"progress_url\":" + quote(api + "/progress")
                + ",\"last_activity\":\"2026-12-04T09:00:00.000000Z\",\"started\":null"
                + ",\"expires_at\":" + (name.isEmpty() ? "null" : "\"2026-12-20T09:00:00.000000Z\"")
                + ",\"user_options\":{\"image\":\"mlhub/workspace:1.0\",\"cpu_limit\":2,\"mem_limit\":\"4G\",\"env\":{\"TZ\":\"UTC\"}}}";
    }

    private String userPage(Map<String, String> query) {
        int offset = Integer.parseInt(query.getOrDefault("offset", "0"));
        int limit = Integer.parseInt(query.getOrDefault("limit", "50"));
        String filter = query.getOrDefault("name_filter", "");
        boolean pending = "false".equals(query.get("authorized"));
        List<String> matching = pending ? List.of("newbie") : users.stream().filter(u -> u.contains(filter)).toList();
        if (query.getOrDefault("sort", "name").equals("-name")) {
            matching = matching.reversed();
        }
        List<String> page = matching.subList(Math.min(offset, matching.size()), Math.min(offset + limit, matching.size()));
        List<String> items = page.stream().map(name -> "{\"kind\":\"user\",\"name\":" + quote(name)
                + ",\"admin\":" + name.equals("user00001") + ",\"authorized\":" + !pending
                + ",\"created\":\"2026-11-01T08:00:00.000000Z\",\"last_activity\":null,\"servers\":{}}").toList();
        boolean hasNext = offset + limit < matching.size();
        return "{\"items\":[" + String.join(",", items) + "],\"_pagination\":{\"offset\":" + offset + ",\"limit\":" + limit
                + ",\"total\":" + matching.size() + ",\"next\":" + (hasNext ? "{\"offset\":" + (offset + limit) + "}" : "null") + "}}";
    }

    private static String sshAccess() {
        String config = "Host mlhub-analysis.alice\n  HostName analysis.alice\n  User root\n  ProxyJump alice@127.0.0.1:8443\n"
                + "  IdentityFile ~/.ssh/mlhub_ed25519";
        return "{\"target\":\"analysis.alice\",\"alias\":\"mlhub-analysis.alice\",\"host\":\"127.0.0.1\",\"port\":8443,\"running\":true,"
                + "\"sshConfig\":" + quote(config) + ",\"knownHosts\":\"[127.0.0.1]:8443 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHub\","
                + "\"setupCommand\":\"mkdir -p ~/.ssh && printf '%s' '...' >> ~/.ssh/config\"}";
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> values = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            values.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void error(HttpExchange exchange, int status, String message, String field) throws IOException {
        String fieldPart = field == null ? "" : ",\"field\":" + quote(field);
        json(exchange, status, "{\"status\":" + status + ",\"message\":" + quote(message) + fieldPart + "}");
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "application/json", body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
