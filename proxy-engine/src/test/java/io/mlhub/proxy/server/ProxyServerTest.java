package io.mlhub.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.sniff.SniffConfig;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyServerTest {
    @TempDir
    Path dataDirectory;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void curlGetsAnswerOverTls13() throws Exception {
        int port = startTlsServer().localAddress().getPort();

        Processes.Result curl = Processes.run("curl", "-sv", "-k", "--tlsv1.3", "https://127.0.0.1:" + port + "/hub/");

        assertThat(curl.exitCode()).as(curl.stderr()).isZero();
        assertThat(curl.stdout()).isEqualTo("hello path=/hub/ secure=true client=127.0.0.1\n");
        assertThat(curl.stderr()).contains("SSL connection using TLSv1.3");
        assertThat(curl.stderr()).contains("ALPN: server accepted http/1.1");
    }

    @Test
    void curlGetsAnswerOverTls12() throws Exception {
        int port = startTlsServer().localAddress().getPort();

        Processes.Result curl = Processes.run(
                "curl", "-sv", "-k", "--tlsv1.2", "--tls-max", "1.2", "https://127.0.0.1:" + port + "/x");

        assertThat(curl.exitCode()).as(curl.stderr()).isZero();
        assertThat(curl.stdout()).startsWith("hello path=/x secure=true");
        assertThat(curl.stderr()).contains("SSL connection using TLSv1.2 / ECDHE-ECDSA-");
    }

    @Test
    void tls11HandshakeIsRejectedByServer() throws Exception {
        int port = startTlsServer().localAddress().getPort();

        // SECLEVEL=0 lets the OpenSSL client offer TLS 1.1, so the refusal comes from the server.
        Processes.Result openssl = Processes.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), "");

        assertThat(openssl.exitCode()).isNotZero();
        assertThat(openssl.stderr()).as("the server answers with alert 70, protocol_version")
                .contains("alert protocol version");
    }

    @Test
    void plainHttpIsRedirectedToHttps() throws Exception {
        int port = startTlsServer().localAddress().getPort();
        String url = "http://127.0.0.1:" + port + "/hub/login?next=%2Fuser%2Fa";

        Processes.Result get = Processes.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", url);
        Processes.Result post = Processes.run(
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "a=b", url);

        assertThat(get.stdout()).isEqualTo("301 https://127.0.0.1:" + port + "/hub/login?next=%2Fuser%2Fa");
        assertThat(post.stdout()).as("other methods keep method and body").isEqualTo("308");
    }

    @Test
    void plainHttpIsServedWhenTlsIsOff() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()));

        Processes.Result curl = Processes.run("curl", "-s", "http://127.0.0.1:" + server.localAddress().getPort() + "/a");

        assertThat(curl.stdout()).isEqualTo("hello path=/a secure=false client=127.0.0.1\n");
    }

    @Test
    void notReadyAnswers503WithRetryAfterUntilReady() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .tls(tls())
                .initiallyReady(false)
                .retryAfter(Duration.ofSeconds(7)));
        String url = "https://127.0.0.1:" + server.localAddress().getPort() + "/hub/";

        Processes.Result before = Processes.run("curl", "-sk", "-i", url);
        server.setReady(true);
        Processes.Result after = Processes.run("curl", "-sk", url);

        assertThat(before.exitCode()).as("an answer, not a reset: %s", before.stderr()).isZero();
        assertThat(before.stdout()).startsWith("HTTP/1.1 503 Service Unavailable");
        assertThat(before.stdout()).containsIgnoringCase("retry-after: 7");
        assertThat(after.stdout()).startsWith("hello path=/hub/");
    }

    @Test
    void notReadyAnswersPostAfterReadingItsBody() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()).initiallyReady(false));
        String url = "http://127.0.0.1:" + server.localAddress().getPort() + "/hub/api";

        Processes.Result post = Processes.run(
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x".repeat(100_000), url);

        assertThat(post.exitCode()).isZero();
        assertThat(post.stdout()).isEqualTo("503");
    }

    @Test
    @Tag("slow")
    void openSshClientBannerReachesAcceptor() throws Exception {
        RecordingSshAcceptor acceptor = new RecordingSshAcceptor();
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .tls(tls())
                .sshAcceptor(acceptor));

        Processes.Result ssh = Processes.run("ssh", "-F", "/dev/null", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=5", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-p", String.valueOf(server.localAddress().getPort()), "127.0.0.1", "true");

        assertThat(ssh.exitCode()).as("the test acceptor ends the session").isNotZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(acceptor.received()).startsWith("SSH-2.0-OpenSSH"));
        assertThat(ssh.stderr()).as("ssh read the acceptor's banner").doesNotContain("banner exchange");
    }

    @Test
    void silentClientGetsSshBanner() throws Exception {
        RecordingSshAcceptor acceptor = new RecordingSshAcceptor();
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .sniff(new SniffConfig(Duration.ofMillis(300), Duration.ofSeconds(5), false))
                .sshAcceptor(acceptor));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            String banner = readLine(socket.getInputStream());

            assertThat(banner).isEqualTo(RecordingSshAcceptor.BANNER.strip());
            assertThat(acceptor.received()).isEmpty();
        }
    }

    @Test
    void proxyProtocolHeaderSetsClientAddress() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .sniff(SniffConfig.defaults().withProxyProtocol(true)));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("PROXY TCP4 192.0.2.7 127.0.0.1 40000 80\r\n"
                    + "GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello path=/who secure=false client=192.0.2.7\n");
        }
    }

    @Test
    void proxyProtocolHeaderIsRejectedByDefault() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("PROXY TCP4 192.0.2.7 127.0.0.1 40000 80\r\n"
                    + "GET /who HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            assertThat(socket.getInputStream().readAllBytes()).as("closed without an answer").isEmpty();
        }
    }

    @Test
    void unknownBytesAreClosed() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()).tls(tls()));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("HELLO\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
        }
    }

    @Test
    void vanishingClientsLeaveNoConnections() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()).tls(tls()));
        byte[][] firstBytes = {ascii("G"), ascii("SSH"), {0x16, 0x03}, ascii("PROXY "), ascii("GET / HTTP/1.1\r\nHo")};

        for (int i = 0; i < 50; i++) {
            try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
                socket.getOutputStream().write(firstBytes[i % firstBytes.length]);
            }
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.openConnections()).isZero());
    }

    @Test
    void slowSnifferIsClosedAtTimeout() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .sniff(new SniffConfig(Duration.ofMillis(200), Duration.ofMillis(800), false)));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(ascii("GE"));
            long start = System.nanoTime();

            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed by the sniff timeout, not at once")
                    .isGreaterThan(Duration.ofMillis(500));
        }
    }

    @Test
    void openConnectionsAreCountedByProtocol() throws Exception {
        ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()).metrics(metrics));

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().read();

            await().untilAsserted(() -> assertThat(metrics.openConnections(ProxyMetrics.Protocol.HTTP)).isEqualTo(1));
        }
        await().untilAsserted(() -> assertThat(metrics.openConnections(ProxyMetrics.Protocol.HTTP)).isZero());
    }

    @Test
    void closeStopsAcceptingAndEndsConnectionsAfterDrain() throws Exception {
        ProxyServer server = ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .drainTimeout(Duration.ofMillis(300))
                .build()
                .start();
        int port = server.localAddress().getPort();

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readLine(socket.getInputStream());

            server.close();

            assertThat(drain(socket.getInputStream())).as("the kept-alive connection ends").isEqualTo(-1);
        }
        assertThat(Processes.run("curl", "-s", "http://127.0.0.1:" + port + "/").exitCode())
                .as("connection refused").isNotZero();
    }

    @Test
    void closeEndsSniffingConnectionsWithoutWaiting() throws Exception {
        ProxyServer server = ProxyServer.builder(loopback(), new HelloHttpInstaller())
                .drainTimeout(Duration.ofSeconds(30))
                .build()
                .start();

        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(ascii("GE"));
            await().untilAsserted(() -> assertThat(server.openConnections()).isEqualTo(1));
            long start = System.nanoTime();

            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no wait for the drain timeout")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void usesNativeEpollOnLinux() throws Exception {
        ProxyServer server = start(ProxyServer.builder(loopback(), new HelloHttpInstaller()));

        assertThat(server.transport().name()).isEqualTo("epoll");
    }

    private ProxyServer startTlsServer() throws IOException {
        return start(ProxyServer.builder(loopback(), new HelloHttpInstaller()).tls(tls()));
    }

    private ServerTlsContext tls() throws IOException {
        ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory));
        toClose.add(context);
        return context;
    }

    private ProxyServer start(ProxyServer.Builder builder) throws IOException {
        ProxyServer server = builder.drainTimeout(Duration.ZERO).build().start();
        toClose.add(server);
        return server;
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private static int drain(InputStream in) throws IOException {
        int last;
        while ((last = in.read()) != -1) {
            // Skip the rest of the response.
        }
        return last;
    }
}
