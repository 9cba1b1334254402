package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProxyCommandTest {
    @TempDir
    Path directory;

    @Test
    void chpFlagsOfJupyterHubAreParsed() {
        ProxyCommand command = parse("--ip", "127.0.0.1", "--port", "18000", "--api-ip", "127.0.0.1",
                "--api-port", "18001", "--error-target", "http://127.0.0.1:8081/hub/error", "--log-level", "debug");

        ProxyCommand.ProxySettings settings = command.settings();

        assertThat(settings.publicAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 18000));
        assertThat(settings.apiAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 18001));
        assertThat(settings.errorTarget()).hasToString("http://127.0.0.1:8081/hub/error");
        assertThat(settings.logLevel().toString()).isEqualTo("DEBUG");
    }

    @Test
    void apiPortDefaultsToPublicPortPlusOne() {
        ProxyCommand.ProxySettings settings = parse("--port", "9000").settings();

        assertThat(settings.apiAddress().getPort()).isEqualTo(9001);
        assertThat(settings.apiAddress().getHostString()).isEqualTo("localhost");
        assertThat(settings.metricsAddress()).as("no metrics port unless asked").isNull();
        assertThat(settings.publicAddress().getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void metricsPortIsParsed() {
        ProxyCommand.ProxySettings settings = parse("--metrics-ip", "127.0.0.1", "--metrics-port", "9100").settings();

        assertThat(settings.metricsAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 9100));
    }

    @Test
    void ignoredChpFlagsAreAcceptedWithTheirValues() {
        ProxyCommand command = parse("--no-x-forward", "--custom-header", "a:b", "--protocol-rewrite=https",
                "--insecure", "--port", "9000");

        assertThat(command.settings().publicAddress().getPort()).isEqualTo(9000);
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> parse("--port", "http").settings()).hasMessage(
                "--port: 'http' (expected: a port number 0-65535)");
        assertThatThrownBy(() -> parse("--api-port", "70000").settings()).hasMessageStartingWith("--api-port: '70000'");
        assertThatThrownBy(() -> parse("--default-target", "127.0.0.1:9").settings())
                .hasMessageStartingWith("--default-target: '127.0.0.1:9' (expected: an http:// or https:// URL)");
        assertThatThrownBy(() -> parse("--log-level", "loud").settings()).hasMessageStartingWith("--log-level: 'loud'");
        assertThatThrownBy(() -> parse("--proxy-timeout", "-5").settings()).hasMessageStartingWith("--proxy-timeout");
        assertThatThrownBy(() -> parse("--ssl-key", "key.pem").settings()).hasMessageContaining("set both or neither");
        assertThatThrownBy(() -> parse("--frobnicate").settings()).hasMessageStartingWith("unknown option --frobnicate");
        assertThatThrownBy(() -> parse("--error-target", "http://h/e", "--error-path", "/x").settings())
                .hasMessageContaining("not both");
    }

    @Test
    void badValueExitsWithOneLine() throws Exception {
        Process process = startMain(List.of("proxy", "--port", "eighty"), null);

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr.strip()).isEqualTo("mlhub proxy: --port: 'eighty' (expected: a port number 0-65535)");
    }

    @Test
    void servesRouteApiAndExitsZeroOnSigterm() throws Exception {
        int publicPort = freePort();
        int apiPort = freePort();
        Path pidFile = directory.resolve("proxy.pid");
        Path log = directory.resolve("proxy.log");
        Process process = startMain(List.of("proxy", "--ip", "127.0.0.1", "--port", String.valueOf(publicPort),
                "--api-ip", "127.0.0.1", "--api-port", String.valueOf(apiPort),
                "--default-target", "http://127.0.0.1:9/", "--error-target", "http://127.0.0.1:9/hub/error",
                "--no-x-forward", "--custom-header", "a:b", "--pid-file", pidFile.toString()), log);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest routes = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/routes"))
                .header("Authorization", "token command-test-token")
                .build();

        try {
            HttpResponse<String> table = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> client.send(routes, HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);

            assertThat(table.body()).as("the default target is the root route")
                    .contains("\"/\":{\"target\":\"http://127.0.0.1:9/\"");
            assertThat(Files.readString(pidFile).strip()).isEqualTo(String.valueOf(process.pid()));
        } finally {
            process.destroy();
        }

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("proxy ready").contains("option --no-x-forward of configurable-http-proxy");
        assertThat(output).doesNotContain("Exception");
        assertThat(pidFile).as("the pid file is removed on exit").doesNotExist();
    }

    private static ProxyCommand parse(String... args) {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static Process startMain(List<String> args, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CONFIGPROXY_AUTH_TOKEN", "command-test-token");
        if (output != null) {
            builder.redirectErrorStream(true).redirectOutput(output.toFile());
        }
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
