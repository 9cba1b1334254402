package io.mlhub.proxy.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS settings of the public port.
 *
 * @param certificateFile PEM file with the server certificate followed by its chain, or {@code null} to
 *     use a self-signed certificate kept in {@code dataDirectory}
 * @param privateKeyFile PEM file with the private key (PKCS#8, or PKCS#1/SEC1), or {@code null} together
 *     with {@code certificateFile}
 * @param dataDirectory folder for the self-signed certificate; it lives in {@code tls/} below it
 * @param hostNames names and IP addresses written into a new self-signed certificate's subject
 *     alternative names, as DNS names or IP addresses according to their form
 * @param reloadInterval how often the certificate and key files are checked for changes
 */
public record TlsConfig(
        @Nullable Path certificateFile,
        @Nullable Path privateKeyFile,
        Path dataDirectory,
        List<String> hostNames,
        Duration reloadInterval) {
    /** Names a self-signed certificate is valid for when no others are given. */
    public static final List<String> DEFAULT_HOST_NAMES = List.of("localhost", "127.0.0.1", "::1");

    /** Default interval of the certificate file check. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

    public TlsConfig {
        requireNonNull(dataDirectory, "dataDirectory");
        hostNames = List.copyOf(requireNonNull(hostNames, "hostNames"));
        requireNonNull(reloadInterval, "reloadInterval");
        if ((certificateFile == null) != (privateKeyFile == null)) {
            throw new IllegalArgumentException("certificateFile and privateKeyFile: set both or neither (got "
                    + certificateFile + " and " + privateKeyFile + ")");
        }
        if (hostNames.isEmpty()) {
            throw new IllegalArgumentException("hostNames: [] (expected: at least one name)");
        }
        if (reloadInterval.isNegative() || reloadInterval.isZero()) {
            throw new IllegalArgumentException("reloadInterval: " + reloadInterval + " (expected: > 0)");
        }
    }

    /** Returns the settings for certificate and key files that the operator provides. */
    public static TlsConfig fromFiles(Path certificateFile, Path privateKeyFile, Path dataDirectory) {
        requireNonNull(certificateFile, "certificateFile");
        requireNonNull(privateKeyFile, "privateKeyFile");
        return new TlsConfig(certificateFile, privateKeyFile, dataDirectory, DEFAULT_HOST_NAMES,
                DEFAULT_RELOAD_INTERVAL);
    }

    /** Returns the settings for a self-signed certificate in {@code dataDirectory}. */
    public static TlsConfig selfSigned(Path dataDirectory) {
        return new TlsConfig(null, null, dataDirectory, DEFAULT_HOST_NAMES, DEFAULT_RELOAD_INTERVAL);
    }

    /** Returns whether the certificate is generated rather than provided. */
    public boolean isSelfSigned() {
        return certificateFile == null;
    }

    /** Returns a copy that checks the files at another interval. */
    public TlsConfig withReloadInterval(Duration interval) {
        return new TlsConfig(certificateFile, privateKeyFile, dataDirectory, hostNames, interval);
    }

    /** Returns a copy with other names for a new self-signed certificate. */
    public TlsConfig withHostNames(List<String> names) {
        return new TlsConfig(certificateFile, privateKeyFile, dataDirectory, names, reloadInterval);
    }
}
