package io.mlhub.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            assertThat(context.provider()).isEqualTo(SslProvider.OPENSSL);
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
