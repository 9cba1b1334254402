package io.mlhub.proxy.chp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChpApiServerTest {
    private static final String TOKEN = "s3cret-token";
    private static final String ISO_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    private final SimpleRouteTable routes = new SimpleRouteTable();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private PrometheusMeterRegistry prometheus;
    private ChpApiServer server;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ProxyMetrics(prometheus).monitorRoutes(routes);
        server = ChpApiServer.builder(new InetSocketAddress("127.0.0.1", 0), routes)
                .authToken(TOKEN)
                .prometheus(prometheus)
                .routeKeys(SimpleRouteTable::canonical)
                .maxBodyBytes(4096)
                .build()
                .start();
        base = "http://127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.close();
        client.close();
    }

    @Test
    void emptyTableIsEmptyObject() throws Exception {
        HttpResponse<String> response = send("GET", "/api/routes", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{}");
    }

    @Test
    void postedRouteIsListed() throws Exception {
        HttpResponse<String> created = send("POST", "/api/routes/user/alice",
                "{\"user\":\"alice\",\"server_name\":\"\",\"target\":\"http://127.0.0.1:54949\",\"jupyterhub\":true,\"n\":1}");
        HttpResponse<String> listed = send("GET", "/api/routes", null);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).isEmpty();
        JsonNode route = json.readTree(listed.body()).get("/user/alice");
        assertThat(route).as("listed under its path: %s", listed.body()).isNotNull();
        assertThat(route.get("target").asText()).isEqualTo("http://127.0.0.1:54949");
        assertThat(route.get("user").asText()).isEqualTo("alice");
        assertThat(route.get("server_name").asText()).isEmpty();
        assertThat(route.get("jupyterhub").asBoolean()).isTrue();
        assertThat(route.get("n").asInt()).as("numbers are echoed").isEqualTo(1);
        assertThat(route.get("last_activity").asText()).matches(ISO_MILLIS);
    }

    @Test
    void repostReplacesDataInsteadOfMerging() throws Exception {
        send("POST", "/api/routes/a", "{\"target\":\"http://127.0.0.1:1\",\"old\":true}");
        send("POST", "/api/routes/a", "{\"target\":\"http://127.0.0.1:2\"}");

        JsonNode route = json.readTree(send("GET", "/api/routes/a", null).body());

        assertThat(route.get("target").asText()).isEqualTo("http://127.0.0.1:2");
        assertThat(route.has("old")).isFalse();
    }

    @Test
    void formContentTypeIsParsedAsJson() throws Exception {
        HttpRequest request = authorized("/api/routes/")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("{\"hub\":true,\"target\":\"http://127.0.0.1:8081\",\"jupyterhub\":true}"))
                .build();

        HttpResponse<String> created = client.send(request, BodyHandlers.ofString());
        JsonNode all = json.readTree(send("GET", "/api/routes", null).body());

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(all.get("/").get("hub").asBoolean()).as("the root route: %s", all).isTrue();
    }

    @Test
    void singleRouteIsExactMatchWithoutPrefixMatching() throws Exception {
        send("POST", "/api/routes/a/b/", "{\"target\":\"http://127.0.0.1:9\"}");

        assertThat(send("GET", "/api/routes/a/b", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/routes/a/b/", null).statusCode()).isEqualTo(200);
        HttpResponse<String> deeper = send("GET", "/api/routes/a/b/c", null);
        assertThat(deeper.statusCode()).isEqualTo(404);
        assertThat(deeper.body()).isEmpty();
    }

    @Test
    void deleteAnswers204Then404() throws Exception {
        send("POST", "/api/routes/user/bob", "{\"target\":\"http://127.0.0.1:9\"}");

        HttpResponse<String> first = send("DELETE", "/api/routes/user/bob", null);
        HttpResponse<String> second = send("DELETE", "/api/routes/user/bob", null);

        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(second.statusCode()).isEqualTo(404);
        assertThat(second.body()).isEmpty();
        assertThat(routes.size()).isZero();
    }

    @Test
    void missingOrNonStringTargetIs400() throws Exception {
        for (String body : new String[] {"{}", "{\"target\":5}", "null", "[1]", "\"x\""}) {
            HttpResponse<String> response = send("POST", "/api/routes/x", body);

            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(response.body()).as(body).isEqualTo("Must specify 'target' as string");
        }
        assertThat(routes.size()).isZero();
    }

    @Test
    void invalidJsonIs400() throws Exception {
        for (String body : new String[] {"", "{not json", "{\"target\":"}) {
            HttpResponse<String> response = send("POST", "/api/routes/x", body);

            assertThat(response.statusCode()).as("body '%s'", body).isEqualTo(400);
            assertThat(response.body()).as("body '%s'", body).startsWith("Body not valid JSON: SyntaxError");
        }
    }

    @Test
    void targetThatIsNoHttpUrlIs400() throws Exception {
        HttpResponse<String> response = send("POST", "/api/routes/x", "{\"target\":\"ftp://host/\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("ftp://host/");
    }

    @Test
    void missingOrWrongTokenIs403WithEmptyBody() throws Exception {
        String[] headers = {null, "Bearer " + TOKEN, "token wrong", "Token " + TOKEN};
        for (String header : headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/routes")).GET();
            if (header != null) {
                request.header("Authorization", header);
            }

            HttpResponse<String> response = client.send(request.build(), BodyHandlers.ofString());

            assertThat(response.statusCode()).as("header %s", header).isEqualTo(403);
            assertThat(response.body()).isEmpty();
            assertThat(response.headers().firstValue("content-type")).isEmpty();
        }
    }

    @Test
    void tokenAnywhereInHeaderIsAccepted() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/routes"))
                .header("Authorization", "xyz token " + TOKEN)
                .GET()
                .build();

        assertThat(client.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> api = send("GET", "/api", null);
        HttpResponse<String> other = send("GET", "/api/other", null);
        HttpResponse<String> put = send("PUT", "/api/routes/x", "{}");

        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).isEqualTo("Not Found");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.body()).isEqualTo("Method not supported");
    }

    @Test
    void inactiveSinceFiltersByLastActivity() throws Exception {
        send("POST", "/api/routes/old", "{\"target\":\"http://127.0.0.1:1\"}");
        send("POST", "/api/routes/new", "{\"target\":\"http://127.0.0.1:2\"}");
        routes.setLastActivity("/old", Instant.parse("2020-01-01T00:00:00Z"));

        JsonNode inactive = json.readTree(send("GET", "/api/routes?inactive_since=2021-01-01T00:00:00.000Z", null).body());
        JsonNode camel = json.readTree(send("GET",
                "/api/routes?inactive_since=2000-01-01T00:00:00Z&inactiveSince=2021-01-01T00:00:00%2B00:00", null).body());

        assertThat(inactive.fieldNames()).toIterable().containsExactly("/old");
        assertThat(inactive.get("/old").get("last_activity").asText()).isEqualTo("2020-01-01T00:00:00.000Z");
        assertThat(camel.fieldNames()).as("inactiveSince takes precedence").toIterable().containsExactly("/old");
    }

    @Test
    void invalidInactiveSinceIs400() throws Exception {
        HttpResponse<String> response = send("GET", "/api/routes?inactive_since=yesterday", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("Invalid datestamp 'yesterday' must be ISO8601.");
    }

    @Test
    void keysAreListedDecoded() throws Exception {
        send("POST", "/api/routes/user/j%C3%BCrgen", "{\"target\":\"http://127.0.0.1:9\"}");

        JsonNode all = json.readTree(send("GET", "/api/routes", null).body());

        assertThat(all.fieldNames()).toIterable().containsExactly("/user/jürgen");
    }

    @Test
    void encodedSlashInApiPathIsASeparator() throws Exception {
        send("POST", "/api/routes/a%2Fb", "{\"target\":\"http://127.0.0.1:9\"}");

        assertThat(send("GET", "/api/routes/a/b", null).statusCode()).isEqualTo(200);
    }

    @Test
    void pathThatIsNotUtf8Is400() throws Exception {
        HttpResponse<String> response = send("POST", "/api/routes/a%C3%28", "{\"target\":\"http://127.0.0.1:9\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("Invalid route path '/a%C3%28'");
        assertThat(routes.size()).isZero();
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String body = "{\"target\":\"http://127.0.0.1:9\",\"pad\":\"" + "x".repeat(5000) + "\"}";

        HttpResponse<String> response = send("POST", "/api/routes/big", body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(routes.size()).isZero();
    }

    @Test
    void metricsNeedNoTokenAndCountRoutes() throws Exception {
        send("POST", "/api/routes/a", "{\"target\":\"http://127.0.0.1:9\"}");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build();

        HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).contains("mlhub_proxy_routes 1.0");
        assertThat(response.body()).contains("mlhub_proxy_open_connections{protocol=\"ssh\"} 0.0");
    }

    @Test
    void metricsOnlyPortServesNoRoutes() throws Exception {
        try (ChpApiServer metricsOnly = ChpApiServer.metricsOnly(new InetSocketAddress("127.0.0.1", 0))
                .prometheus(prometheus)
                .build()
                .start()) {
            String url = "http://127.0.0.1:" + metricsOnly.localAddress().getPort();

            HttpResponse<String> metrics = client.send(
                    HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), BodyHandlers.ofString());
            HttpResponse<String> api = client.send(HttpRequest.newBuilder(URI.create(url + "/api/routes"))
                    .header("Authorization", "token " + TOKEN).build(), BodyHandlers.ofString());

            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("mlhub_proxy_routes");
            assertThat(api.statusCode()).isEqualTo(404);
        }
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "token " + TOKEN);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = authorized(path)
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
                .build();
        return client.send(request, BodyHandlers.ofString());
    }
}
