package io.mlhub.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context, rebuilt when the certificate or key file changes. A reload swaps the context
 * for new connections only; connections that finished their handshake keep the engine they have.
 *
 * <p>The native BoringSSL provider (netty-tcnative) is used when it loads, the JDK provider otherwise.
 * Only TLS 1.2 and 1.3 are enabled, with AEAD cipher suites and forward secrecy, and ALPN offers
 * {@code http/1.1}.
 *
 * <p>The native contexts and engines are reference counted. Each engine retains its context, and the
 * {@link SslHandler} releases the engine when it leaves the pipeline. Netty's other native provider frees them in
 * {@code finalize()}, which keeps each closed connection's engine until a later collection.
 */
public final class ServerTlsContext implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ServerTlsContext.class);

    private static final AtomicBoolean FALLBACK_WARNED = new AtomicBoolean();

    /** Enabled protocol versions; TLS 1.1 and older are deprecated by RFC 8996. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Cipher suites: the TLS 1.3 suites, then TLS 1.2 suites with ECDHE key exchange and AEAD ciphers
     * (the "intermediate" set of Mozilla's server side TLS guidelines, version 5.7).
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** ALPN protocols in order of preference; {@code h2} goes in front once the proxy speaks it. */
    static final List<String> ALPN_PROTOCOLS = List.of(ApplicationProtocolNames.HTTP_1_1);

    private final Path certificateFile;
    private final Path privateKeyFile;
    private final SslProvider provider;
    private final ScheduledExecutorService reloader;

    private volatile SslContext current;
    private volatile X509Certificate currentCertificate;
    private FileStamp loadedStamp;
    private FileStamp failedStamp;

    private ServerTlsContext(Path certificateFile, Path privateKeyFile, SslProvider provider) throws IOException {
        this.certificateFile = certificateFile;
        this.privateKeyFile = privateKeyFile;
        this.provider = provider;
        this.loadedStamp = FileStamp.of(certificateFile, privateKeyFile);
        this.currentCertificate = readCertificate(certificateFile);
        this.current = build(certificateFile, privateKeyFile, provider);
        this.reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mlhub-tls-reload");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Creates the context from the configured files, or from the stored self-signed certificate, and
     * starts checking the files for changes.
     *
     * @throws IOException if the files cannot be read or hold no usable certificate and key
     */
    public static ServerTlsContext create(TlsConfig config) throws IOException {
        return create(config, chooseProvider());
    }

    /** Creates the context with a given TLS implementation; tests use it to run the JDK fallback. */
    static ServerTlsContext create(TlsConfig config, SslProvider provider) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(provider, "provider");
        Path certificate = config.certificateFile();
        Path privateKey = config.privateKeyFile();
        if (config.isSelfSigned()) {
            var stored = SelfSignedCertificates.loadOrCreate(config.dataDirectory().resolve("tls"), config.hostNames());
            certificate = stored.certificate();
            privateKey = stored.privateKey();
        }

        ServerTlsContext context = new ServerTlsContext(certificate, privateKey, provider);
        logger.info("tls ready provider={} certificate={} subject=\"{}\" notAfter={}",
                context.provider, certificate, context.currentCertificate.getSubjectX500Principal(),
                context.currentCertificate.getNotAfter().toInstant());
        long intervalMillis = config.reloadInterval().toMillis();
        context.reloader.scheduleWithFixedDelay(
                context::reloadQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        return context;
    }

    /** Returns the context new connections use. */
    public SslContext current() {
        return current;
    }

    /** Returns the certificate new connections are offered. */
    public X509Certificate certificate() {
        return currentCertificate;
    }

    /** Returns the TLS implementation in use. */
    public SslProvider provider() {
        return provider;
    }

    /** Creates the TLS handler for a new connection from the current context. */
    public SslHandler newHandler(ByteBufAllocator allocator) {
        while (true) {
            SslContext context = current;
            if (!(context instanceof ReferenceCounted counted)) {
                return context.newHandler(allocator);
            }

            // A reload may release this context between the read above and the engine taking its own reference.
            try {
                counted.retain();
            } catch (IllegalReferenceCountException e) {
                continue;
            }
            try {
                return context.newHandler(allocator);
            } finally {
                counted.release();
            }
        }
    }

    /**
     * Rebuilds the context if the certificate or key file changed since the last load. A file pair that
     * fails to load is logged once and leaves the previous context in place.
     *
     * @return whether a new context was installed
     */
    public synchronized boolean reloadIfChanged() {
        FileStamp stamp;
        try {
            stamp = FileStamp.of(certificateFile, privateKeyFile);
        } catch (IOException e) {
            return reportFailure(null, e);
        }
        if (stamp.equals(loadedStamp) || stamp.equals(failedStamp)) {
            return false;
        }

        try {
            X509Certificate certificate = readCertificate(certificateFile);
            SslContext rebuilt = build(certificateFile, privateKeyFile, provider);
            SslContext previous = current;
            current = rebuilt;
            currentCertificate = certificate;
            // Open connections keep the previous context alive through their engines.
            ReferenceCountUtil.release(previous);
            loadedStamp = stamp;
            failedStamp = null;
            logger.info("tls certificate reloaded certificate={} subject=\"{}\" notAfter={}", certificateFile,
                    certificate.getSubjectX500Principal(), certificate.getNotAfter().toInstant());
            return true;
        } catch (IOException e) {
            return reportFailure(stamp, e);
        }
    }

    /** Stops checking the files. Open connections are not affected. */
    @Override
    public synchronized void close() {
        reloader.shutdownNow();
        ReferenceCountUtil.release(current);
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            logger.warn("tls reload check failed certificate={}", certificateFile, e);
        }
    }

    private boolean reportFailure(FileStamp stamp, IOException e) {
        if (stamp == null || !stamp.equals(failedStamp)) {
            logger.warn("tls reload failed, keeping the previous certificate certificate={} key={} error={}",
                    certificateFile, privateKeyFile, e.getMessage());
        }
        failedStamp = stamp;
        return false;
    }

    private static SslProvider chooseProvider() {
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL_REFCNT;
        }
        if (FALLBACK_WARNED.compareAndSet(false, true)) {
            logger.warn("tls native BoringSSL is unavailable, falling back to the JDK provider cause={}",
                    String.valueOf(OpenSsl.unavailabilityCause()));
        }
        return SslProvider.JDK;
    }

    private static SslContext build(Path certificateFile, Path privateKeyFile, SslProvider provider)
            throws IOException {
        try {
            return SslContextBuilder.forServer(certificateFile.toFile(), privateKeyFile.toFile())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ALPN_PROTOCOLS))
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new IOException("loading certificate " + certificateFile + " and key " + privateKeyFile
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        try {
            return SelfSignedCertificates.readCertificate(file);
        } catch (GeneralSecurityException e) {
            throw new IOException("reading certificate " + file + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Digest of the certificate and key files' contents. Contents rather than modification times, so
     * that a copy that keeps the old time ({@code cp -p}) or a Kubernetes secret swapped by symlink is
     * noticed too. Both files are small, so reading them on every check is cheap.
     */
    private record FileStamp(String digest) {
        static FileStamp of(Path certificate, Path key) throws IOException {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update(Files.readAllBytes(certificate));
                sha256.update((byte) 0);
                sha256.update(Files.readAllBytes(key));
                return new FileStamp(HexFormat.of().formatHex(sha256.digest()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }
    }
}
