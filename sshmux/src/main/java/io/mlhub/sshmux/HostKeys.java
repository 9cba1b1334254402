package io.mlhub.sshmux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's host keys: Ed25519, and RSA for older clients. Each is generated on first start into the data folder
 * and loaded from there afterwards, so clients see the same keys across restarts.
 */
final class HostKeys {

    private static final Logger logger = LoggerFactory.getLogger(HostKeys.class);

    static final String ED25519_FILE = "ssh_host_ed25519_key";
    static final String RSA_FILE = "ssh_host_rsa_key";
    private static final int RSA_BITS = 3072;
    // The EdDSA key pair generator of Bouncy Castle picks the curve by this size: 255 is Ed25519.
    private static final int ED25519_BITS = 255;

    private final List<KeyPair> keyPairs;
    private final List<HostKey> hostKeys;

    private HostKeys(List<KeyPair> keyPairs) {
        this.keyPairs = List.copyOf(keyPairs);
        this.hostKeys = keyPairs.stream().map(HostKeys::describe).toList();
    }

    /** Loads the host keys from {@code directory}, generating the missing ones. */
    static HostKeys loadOrGenerate(Path directory) {
        try {
            Files.createDirectories(directory);
            List<KeyPair> pairs = new ArrayList<>();
            pairs.add(load(directory.resolve(ED25519_FILE), SecurityUtils.EDDSA, ED25519_BITS));
            pairs.add(load(directory.resolve(RSA_FILE), KeyUtils.RSA_ALGORITHM, RSA_BITS));
            return new HostKeys(pairs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write SSH host keys in " + directory, e);
        }
    }

    private static KeyPair load(Path file, String algorithm, int keySize) throws IOException {
        boolean existed = Files.exists(file);
        SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(file);
        provider.setAlgorithm(algorithm);
        provider.setKeySize(keySize);
        // Generates and writes the key when the file is missing.
        List<KeyPair> loaded = provider.loadKeys(null);
        if (loaded.isEmpty()) {
            throw new IOException("no SSH host key in " + file);
        }
        KeyPair pair = loaded.get(0);
        restrictToOwner(file);
        logger.info("{} ssh host key file={} fingerprint={}", existed ? "loaded" : "generated", file,
                KeyUtils.getFingerPrint(pair.getPublic()));
        return pair;
    }

    /** Makes the private key file readable by its owner only, as OpenSSH's sshd requires of its own host keys. */
    private static void restrictToOwner(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
        }
    }

    private static HostKey describe(KeyPair pair) {
        String type = KeyUtils.getKeyType(pair.getPublic());
        String fingerprint = KeyUtils.getFingerPrint(pair.getPublic());
        return new HostKey(type, fingerprint, PublicKeyEntry.toString(pair.getPublic()));
    }

    KeyPairProvider provider() {
        return KeyPairProvider.wrap(keyPairs);
    }

    List<HostKey> hostKeys() {
        return hostKeys;
    }
}
