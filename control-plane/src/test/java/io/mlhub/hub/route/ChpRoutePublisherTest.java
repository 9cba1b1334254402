package io.mlhub.hub.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mlhub.hub.testing.SingleUserSpawner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Publishes routes to a real configurable-http-proxy and sends traffic through it. */
@Tag("slow")
class ChpRoutePublisherTest {
    private static final String TOKEN = "test-proxy-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private Process proxy;
    private int publicPort;
    private int apiPort;
    private HttpServer workspace;

    @BeforeEach
    void startProxyAndWorkspace() throws Exception {
        Assumptions.assumeTrue(proxyRuns(), "configurable-http-proxy --version fails on this machine; see its output");
        publicPort = SingleUserSpawner.freePort();
        apiPort = SingleUserSpawner.freePort();
        ProcessBuilder builder = new ProcessBuilder("configurable-http-proxy", "--ip", "127.0.0.1",
                "--port", Integer.toString(publicPort), "--api-ip", "127.0.0.1", "--api-port", Integer.toString(apiPort),
                "--log-level", "warn").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("CONFIGPROXY_AUTH_TOKEN", TOKEN);
        proxy = builder.start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> accepts(apiPort));

        workspace = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        workspace.createContext("/", exchange -> {
            byte[] body = ("ws " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        workspace.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy == null) {
            return;
        }
        workspace.stop(0);
        proxy.destroy();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
            proxy.destroyForcibly();
        }
    }

    @Test
    void routesArePublishedUsedAndReplaced() throws Exception {
        ChpRoutePublisher publisher = new ChpRoutePublisher(URI.create("http://127.0.0.1:" + apiPort), TOKEN);
        URI target = URI.create("http://127.0.0.1:" + workspace.getAddress().getPort());
        foreignRoute("/ext");

        publisher.put("/user/alice/", target, "alice", "");
        publisher.put("/user/alice/lab/", target, "alice", "lab");
        HttpResponse<String> proxied = get("http://127.0.0.1:" + publicPort + "/user/alice/lab/tree");
        JsonNode table = routes();

        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(proxied.body()).isEqualTo("ws /user/alice/lab/tree");
        assertThat(table.get("/user/alice").get("user").asText()).isEqualTo("alice");
        assertThat(table.get("/user/alice/lab").get("server_name").asText()).isEqualTo("lab");
        assertThat(table.get("/user/alice/lab").get("jupyterhub").asBoolean()).isTrue();

        publisher.replaceAll(List.of(new PublishedRoute("/user/bob/", target, "bob", "")));
        JsonNode replaced = routes();

        assertThat(replaced.has("/user/alice")).isFalse();
        assertThat(replaced.has("/user/alice/lab")).isFalse();
        assertThat(replaced.has("/user/bob")).isTrue();
        assertThat(replaced.has("/ext")).as("routes the hub did not write stay").isTrue();

        publisher.remove("/user/bob/");
        publisher.remove("/user/bob/");

        assertThat(routes().has("/user/bob")).isFalse();
    }

    @Test
    void wrongTokenIsAClearError() {
        ChpRoutePublisher publisher = new ChpRoutePublisher(URI.create("http://127.0.0.1:" + apiPort), "wrong");

        assertThatThrownBy(() -> publisher.put("/user/x/", URI.create("http://127.0.0.1:1"), "x", ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("status 403");
    }

    private JsonNode routes() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + apiPort + "/api/routes"))
                .header("Authorization", "token " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    private void foreignRoute(String path) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/routes" + path))
                .header("Authorization", "token " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"http://127.0.0.1:9\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Returns whether the installed proxy starts at all; a broken Node.js install makes it fail at once. */
    private static boolean proxyRuns() throws Exception {
        Process version = new ProcessBuilder("configurable-http-proxy", "--version").redirectErrorStream(true).start();
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = version.waitFor() == 0;
        if (!ok) {
            System.err.println("configurable-http-proxy is broken here: " + output.lines().findFirst().orElse(""));
        }
        return ok;
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
