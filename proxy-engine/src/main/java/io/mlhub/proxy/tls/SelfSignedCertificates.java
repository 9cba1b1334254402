package io.mlhub.proxy.tls;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed certificate of a hub without a certificate of its own. It is generated once, stored in
 * the data folder and reused across restarts, so that clients that accepted or pinned it keep working.
 * It is replaced only when it is unreadable or about to expire.
 */
final class SelfSignedCertificates {
    private static final Logger logger = LoggerFactory.getLogger(SelfSignedCertificates.class);

    static final String CERTIFICATE_FILE = "self-signed.crt";
    static final String PRIVATE_KEY_FILE = "self-signed.key";

    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SelfSignedCertificates() {}

    /** Paths of a stored certificate and its key. */
    record StoredPair(Path certificate, Path privateKey) {}

    /**
     * Returns the stored certificate and key in {@code directory}, generating them first when they are
     * missing, unreadable or expire within {@link #RENEW_BEFORE}.
     */
    static StoredPair loadOrCreate(Path directory, List<String> hostNames) throws IOException {
        Path certificate = directory.resolve(CERTIFICATE_FILE);
        Path privateKey = directory.resolve(PRIVATE_KEY_FILE);
        if (isUsable(certificate, privateKey)) {
            logger.info("tls using stored self-signed certificate file={}", certificate);
            return new StoredPair(certificate, privateKey);
        }

        Files.createDirectories(directory);
        generate(certificate, privateKey, hostNames);
        logger.info("tls generated self-signed certificate file={} names={}", certificate, hostNames);
        return new StoredPair(certificate, privateKey);
    }

    private static boolean isUsable(Path certificate, Path privateKey) {
        if (!Files.isRegularFile(certificate) || !Files.isRegularFile(privateKey)) {
            return false;
        }
        try {
            X509Certificate stored = readCertificate(certificate);
            Instant renewAt = stored.getNotAfter().toInstant().minus(RENEW_BEFORE);
            if (Instant.now().isAfter(renewAt)) {
                logger.info("tls self-signed certificate expires soon, generating a new one notAfter={}",
                        stored.getNotAfter().toInstant());
                return false;
            }
            return true;
        } catch (IOException | GeneralSecurityException e) {
            logger.warn("tls stored self-signed certificate is unreadable, generating a new one file={} error={}",
                    certificate, e.toString());
            return false;
        }
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void generate(Path certificateFile, Path privateKeyFile, List<String> hostNames)
            throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keyPair = generator.generateKeyPair();
            X509Certificate certificate = sign(keyPair, hostNames);

            // The key is written first, readable by the owner only. The certificate's presence marks a
            // complete pair, so a crash in between leaves nothing that looks usable.
            writeAtomically(privateKeyFile, pem(new JcaPKCS8Generator(keyPair.getPrivate(), null)), true);
            writeAtomically(certificateFile, pem(certificate), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("generating the self-signed certificate failed: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(KeyPair keyPair, List<String> hostNames)
            throws GeneralSecurityException, OperatorCreationException, CertIOException {
        X500Name subject = new X500Name("CN=" + commonName(hostNames) + ",O=ML Hub self-signed");
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, new SecureRandom());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject, serial, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)),
                subject, keyPair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(hostNames));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));

        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    /** Returns the SAN entries: IP literals as iPAddress, everything else as dNSName (RFC 5280 4.2.1.6). */
    static GeneralNames subjectAlternativeNames(List<String> hostNames) {
        GeneralName[] names = hostNames.stream()
                .map(name -> isIpLiteral(name)
                        ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name))
                .toArray(GeneralName[]::new);
        return new GeneralNames(names);
    }

    private static boolean isIpLiteral(String name) {
        return NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name);
    }

    private static String commonName(List<String> hostNames) {
        return hostNames.stream().filter(name -> !isIpLiteral(name)).findFirst().orElse("localhost");
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static void writeAtomically(Path file, String content, boolean ownerOnly) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (ownerOnly) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
