package io.mlhub.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mlhub.proxy.chp.ChpApiServer;
import io.mlhub.proxy.http.HttpProxy;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public port, the route API and the HTTP proxy wired as {@code mlhub proxy} wires them, driven by curl. */
class EdgeToRelayTest {
    private static final String TOKEN = "edge-test-token";

    @TempDir
    Path dataDirectory;

    private HttpServer backend;
    private ServerTlsContext tls;
    private HttpProxy httpProxy;
    private ProxyServer server;
    private ChpApiServer api;
    private String publicUrl;
    private String apiUrl;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", exchange -> {
            byte[] body = ("backend saw " + exchange.getRequestURI() + " proto="
                    + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto")).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();

        PathRouteTable routes = new PathRouteTable();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProxyMetrics metrics = new ProxyMetrics(registry);
        metrics.monitorRoutes(routes);
        tls = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory));
        httpProxy = HttpProxy.builder(routes).meterRegistry(registry).build();
        server = ProxyServer.builder(new InetSocketAddress("127.0.0.1", 0), httpProxy)
                .tls(tls)
                .metrics(metrics)
                .drainTimeout(Duration.ZERO)
                .build()
                .start();
        api = ChpApiServer.builder(new InetSocketAddress("127.0.0.1", 0), routes)
                .authToken(TOKEN)
                .prometheus(registry)
                .build()
                .start();
        publicUrl = "https://127.0.0.1:" + server.localAddress().getPort();
        apiUrl = "http://127.0.0.1:" + api.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        api.close();
        server.close();
        httpProxy.close();
        tls.close();
        backend.stop(0);
    }

    @Test
    void routeAddedThroughApiIsServedOverTls() throws Exception {
        String target = "http://127.0.0.1:" + backend.getAddress().getPort();
        Processes.Result added = Processes.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Authorization: token " + TOKEN, "-d", "{\"target\":\"" + target + "\",\"jupyterhub\":true}",
                apiUrl + "/api/routes/user/j%C3%BCrgen");

        Processes.Result proxied = Processes.run("curl", "-sk", publicUrl + "/user/j%C3%BCrgen/lab?x=1");
        Processes.Result listed = Processes.run("curl", "-s", "-H", "Authorization: token " + TOKEN,
                apiUrl + "/api/routes");

        assertThat(added.stdout()).isEqualTo("201");
        assertThat(proxied.stdout()).isEqualTo("backend saw /user/j%C3%BCrgen/lab?x=1 proto=https");
        assertThat(listed.stdout()).as("JupyterHub reads the key decoded")
                .contains("\"/user/jürgen\":{\"jupyterhub\":true,\"target\":\"" + target + "\"");
    }

    @Test
    void removedRouteIsNotServed() throws Exception {
        String target = "http://127.0.0.1:" + backend.getAddress().getPort();
        Processes.run("curl", "-s", "-H", "Authorization: token " + TOKEN, "-d", "{\"target\":\"" + target + "\"}",
                apiUrl + "/api/routes/a");
        Processes.Result deleted = Processes.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE",
                "-H", "Authorization: token " + TOKEN, apiUrl + "/api/routes/a");

        Processes.Result proxied = Processes.run("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                publicUrl + "/a/x");

        assertThat(deleted.stdout()).isEqualTo("204");
        assertThat(proxied.stdout()).isEqualTo("404");
    }

    @Test
    void literalPercentInRouteSurvivesTheRoundTrip() throws Exception {
        String target = "http://127.0.0.1:" + backend.getAddress().getPort();
        Processes.run("curl", "-s", "-H", "Authorization: token " + TOKEN, "-d", "{\"target\":\"" + target + "\"}",
                apiUrl + "/api/routes/a%25b");

        Processes.Result listed = Processes.run("curl", "-s", "-H", "Authorization: token " + TOKEN,
                apiUrl + "/api/routes");
        Processes.Result proxied = Processes.run("curl", "-sk", publicUrl + "/a%25b/c");

        assertThat(listed.stdout()).contains("\"/a%b\"");
        assertThat(proxied.stdout()).isEqualTo("backend saw /a%25b/c proto=https");
    }

    @Test
    void pathClimbingAboveTheRootIsRejected() throws Exception {
        Processes.Result response = Processes.run("curl", "-s", "-w", " %{http_code}", "--path-as-is",
                "-H", "Authorization: token " + TOKEN, "-d", "{\"target\":\"http://127.0.0.1:9\"}",
                apiUrl + "/api/routes/../../etc");

        assertThat(response.stdout()).startsWith("Invalid route path").endsWith(" 400");
    }
}
