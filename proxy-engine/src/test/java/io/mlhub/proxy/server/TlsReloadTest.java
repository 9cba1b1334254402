package io.mlhub.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsReloadTest {
    @TempDir
    Path dataDirectory;

    @Test
    void reloadKeepsOpenConnections() throws Exception {
        Path first = generate("first", "first.test");
        Path second = generate("second", "second.test");
        Path certificate = dataDirectory.resolve("server.crt");
        Path privateKey = dataDirectory.resolve("server.key");
        copyPair(first, certificate, privateKey);
        TlsConfig config = TlsConfig.fromFiles(certificate, privateKey, dataDirectory)
                .withReloadInterval(Duration.ofMillis(100));

        try (ServerTlsContext tls = ServerTlsContext.create(config);
                ProxyServer server = ProxyServer.builder(new InetSocketAddress("127.0.0.1", 0), new HelloHttpInstaller())
                        .tls(tls)
                        .drainTimeout(Duration.ZERO)
                        .build()
                        .start();
                SSLSocket open = connect(server.localAddress().getPort())) {
            assertThat(get(open, "/before")).startsWith("hello path=/before");
            assertThat(subject(open)).contains("CN=first.test");

            copyPair(second, certificate, privateKey);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (SSLSocket fresh = connect(server.localAddress().getPort())) {
                    assertThat(subject(fresh)).contains("CN=second.test");
                }
            });
            assertThat(get(open, "/after")).as("the open connection still works").startsWith("hello path=/after");
            assertThat(subject(open)).as("and keeps its certificate").contains("CN=first.test");
        }
    }

    private Path generate(String folder, String name) throws IOException {
        Path directory = dataDirectory.resolve(folder);
        ServerTlsContext.create(TlsConfig.selfSigned(directory).withHostNames(List.of(name, "127.0.0.1"))).close();
        return directory.resolve("tls");
    }

    private static void copyPair(Path from, Path certificate, Path privateKey) throws IOException {
        Files.copy(from.resolve("self-signed.key"), privateKey, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(from.resolve("self-signed.crt"), certificate, StandardCopyOption.REPLACE_EXISTING);
    }

    private static SSLSocket connect(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private static String subject(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    /** Sends a keep-alive GET and returns the body, read by its Content-Length. */
    private static String get(SSLSocket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();

        InputStream in = socket.getInputStream();
        int contentLength = 0;
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            if (line.toLowerCase().startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).strip());
            }
        }
        return new String(in.readNBytes(contentLength), StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    /** Accepts any server certificate: the test checks which one it got instead. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
