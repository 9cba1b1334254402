package io.mlhub.hub.auth;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

/**
 * An OpenSSH public key line, {@code <type> <base64 blob> [comment]}, checked for shape: a known type, a blob that
 * decodes and names the same type, and for RSA at least 2048 bits.
 *
 * @param type the key type, such as {@code ssh-ed25519}
 * @param key the type and the blob, without the comment
 * @param comment the comment, or {@code ""}
 * @param fingerprint {@code SHA256:} and the unpadded base64 SHA-256 of the blob, as {@code ssh-keygen -l} prints
 */
public record SshPublicKey(String type, String key, String comment, String fingerprint) {
    private static final Set<String> TYPES = Set.of("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com");
    private static final int MAX_LENGTH = 16_384;

    /**
     * Parses one public key line.
     *
     * @throws IllegalArgumentException saying what is wrong with the line
     */
    public static SshPublicKey parse(String line) {
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException("key: missing (expected: an OpenSSH public key line such as "
                    + "'ssh-ed25519 AAAA... comment')");
        }
        if (line.length() > MAX_LENGTH || line.contains("\n") || line.contains("\r")) {
            throw new IllegalArgumentException("key: expected one line of at most " + MAX_LENGTH + " characters");
        }
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2 || !TYPES.contains(parts[0])) {
            throw new IllegalArgumentException("key: unsupported or missing key type (expected: one of "
                    + new java.util.TreeSet<>(TYPES) + ")");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key: the key data is not valid base64");
        }
        checkBlob(parts[0], blob);
        String comment = parts.length == 3 ? parts[2].strip() : "";
        return new SshPublicKey(parts[0], parts[0] + " " + parts[1], comment, fingerprint(blob));
    }

    private static void checkBlob(String type, byte[] blob) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(blob);
            String embedded = new String(readField(buffer), StandardCharsets.US_ASCII);
            if (!embedded.equals(type)) {
                throw new IllegalArgumentException("key: the key data is of type " + embedded + ", not " + type);
            }
            if (type.equals("ssh-rsa")) {
                readField(buffer);
                byte[] modulus = readField(buffer);
                int bits = new java.math.BigInteger(1, modulus).bitLength();
                if (bits < 2048) {
                    throw new IllegalArgumentException("key: RSA key of " + bits + " bits (expected: >= 2048)");
                }
            } else if (type.equals("ssh-ed25519") && readField(buffer).length != 32) {
                throw new IllegalArgumentException("key: Ed25519 key data has the wrong length");
            }
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("key: the key data is truncated");
        }
    }

    private static byte[] readField(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] field = new byte[length];
        buffer.get(field);
        return field;
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
