package io.mlhub.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlhub.proxy.server.ProxyServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServerTlsContextTest {
    @TempDir
    Path dataDirectory;

    @Test
    void selfSignedCertificateIsStoredAndReused() throws Exception {
        X509Certificate first;
        try (ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory))) {
            first = context.certificate();
        }
        Path certificate = dataDirectory.resolve("tls").resolve(SelfSignedCertificates.CERTIFICATE_FILE);
        Path privateKey = dataDirectory.resolve("tls").resolve(SelfSignedCertificates.PRIVATE_KEY_FILE);

        try (ServerTlsContext again = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory))) {
            assertThat(again.certificate().getEncoded()).as("the stored certificate is reused")
                    .isEqualTo(first.getEncoded());
        }
        assertThat(certificate).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
    }

    @Test
    void selfSignedNamesHaveDnsAndIpTypes() throws Exception {
        TlsConfig config = TlsConfig.selfSigned(dataDirectory)
                .withHostNames(List.of("hub.example.org", "localhost", "127.0.0.1", "::1"));

        try (ServerTlsContext context = ServerTlsContext.create(config)) {
            assertThat(context.certificate().getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                    List.of(2, "hub.example.org"),
                    List.of(2, "localhost"),
                    List.of(7, "127.0.0.1"),
                    List.of(7, "0:0:0:0:0:0:0:1"));
            assertThat(context.certificate().getSubjectX500Principal().getName()).contains("CN=hub.example.org");
        }
    }

    @Test
    void unreadableStoredCertificateIsReplaced() throws Exception {
        Path directory = Files.createDirectories(dataDirectory.resolve("tls"));
        Files.writeString(directory.resolve(SelfSignedCertificates.CERTIFICATE_FILE), "not a certificate");
        Files.writeString(directory.resolve(SelfSignedCertificates.PRIVATE_KEY_FILE), "not a key");

        try (ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory))) {
            assertThat(context.certificate().getSubjectX500Principal().getName()).contains("CN=localhost");
        }
    }

    @Test
    void nativeBoringSslIsUsed() throws Exception {
        try (ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory))) {
            assertThat(context.provider()).isEqualTo(SslProvider.OPENSSL_REFCNT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL_REFCNT"})
    void onlyTls12And13WithAeadCiphers(SslProvider provider) throws Exception {
        try (ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory), provider)) {
            SSLEngine engine = context.newHandler(ByteBufAllocator.DEFAULT).engine();
            try {
                // Netty's OpenSSL engine always lists the "SSLv2Hello" hello format; it is no protocol version.
                assertThat(engine.getEnabledProtocols()).filteredOn(name -> !name.equals("SSLv2Hello"))
                        .containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
                assertThat(engine.getEnabledCipherSuites()).isNotEmpty().allSatisfy(
                        cipher -> assertThat(ServerTlsContext.CIPHERS).contains(cipher));
                assertThat(context.current().applicationProtocolNegotiator().protocols()).containsExactly("http/1.1");
            } finally {
                ReferenceCountUtil.release(engine);
            }
        }
    }

    @Test
    void jdkFallbackServesCurl() throws Exception {
        try (ServerTlsContext context = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory), SslProvider.JDK);
                ProxyServer server = ProxyServer.builder(new InetSocketAddress("127.0.0.1", 0),
                                (pipeline, connection) -> pipeline.addLast(new StageBannerHandler()))
                        .tls(context)
                        .drainTimeout(Duration.ZERO)
                        .build()
                        .start()) {
            Process curl = new ProcessBuilder("curl", "-sv", "-k", "--tlsv1.3", "--http0.9", "--max-time", "5",
                    "https://127.0.0.1:" + server.localAddress().getPort()).redirectErrorStream(true).start();
            curl.getOutputStream().close();
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            curl.waitFor(10, TimeUnit.SECONDS);

            assertThat(output).contains("SSL connection using TLSv1.3");
            assertThat(output).contains("ALPN: server accepted http/1.1");
            assertThat(output).contains(StageBannerHandler.BANNER);
        }
    }

    @Test
    void changedFilesAreReloadedAndBrokenOnesIgnored() throws Exception {
        Path first = generate("first", "first.test");
        Path second = generate("second", "second.test");
        Path certificate = dataDirectory.resolve("server.crt");
        Path privateKey = dataDirectory.resolve("server.key");
        copyPair(first, certificate, privateKey);
        TlsConfig config = TlsConfig.fromFiles(certificate, privateKey, dataDirectory)
                .withReloadInterval(Duration.ofHours(1));

        try (ServerTlsContext context = ServerTlsContext.create(config)) {
            SslContext original = context.current();
            assertThat(context.reloadIfChanged()).as("nothing changed").isFalse();
            Files.write(certificate, Files.readAllBytes(certificate));
            assertThat(context.reloadIfChanged()).as("rewritten with the same contents").isFalse();

            Files.writeString(certificate, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            assertThat(context.reloadIfChanged()).as("a broken file is not loaded").isFalse();
            assertThat(context.current()).isSameAs(original);

            copyPair(second, certificate, privateKey);
            assertThat(context.reloadIfChanged()).isTrue();
            assertThat(context.current()).isNotSameAs(original);
            assertThat(context.certificate().getSubjectX500Principal().getName()).contains("CN=second.test");
        }
    }

    @Test
    void missingFilesFailWithTheirNames() {
        TlsConfig config = TlsConfig.fromFiles(dataDirectory.resolve("none.crt"), dataDirectory.resolve("none.key"),
                dataDirectory);

        assertThatThrownBy(() -> ServerTlsContext.create(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("none.crt");
    }

    @Test
    void certificateWithoutKeyIsRejected() {
        assertThatThrownBy(() -> new TlsConfig(dataDirectory.resolve("a.crt"), null, dataDirectory,
                TlsConfig.DEFAULT_HOST_NAMES, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set both or neither");
    }

    /** Writes a fixed line to the client as soon as the HTTP stage is installed, after the handshake. */
    private static final class StageBannerHandler extends ChannelInboundHandlerAdapter {
        static final String BANNER = "tls stage reached";

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.copiedBuffer(BANNER + "\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Generates a self-signed pair for {@code name} and returns its folder. */
    private Path generate(String folder, String name) throws IOException {
        Path directory = dataDirectory.resolve(folder);
        SelfSignedCertificates.loadOrCreate(directory, List.of(name, "127.0.0.1"));
        return directory;
    }

    private static void copyPair(Path from, Path certificate, Path privateKey) throws IOException {
        Files.copy(from.resolve(SelfSignedCertificates.PRIVATE_KEY_FILE), privateKey,
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(from.resolve(SelfSignedCertificates.CERTIFICATE_FILE), certificate,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
