package io.mlhub.hub.spawn;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Maps a hub, user and server to the names of the engine resources of a workspace: container (also its
 * hostname), volume and the user's network. Every name is a valid DNS label (RFC 1123, at most 63
 * characters, lower-case letters, digits and inner hyphens) and a valid Docker name.
 *
 * <p>Two forms keep the mapping one-to-one:
 * <ul>
 *   <li>Readable, when every part is lower-case letters and digits and the name fits:
 *       {@code ws-mlhub-alice} for a default server, {@code ws-mlhub-alice-lab} for a named one.
 *       Splitting it at the hyphens gives the parts back, so two readable names never clash.</li>
 *   <li>Hashed, for everything else: a lossy readable slug, {@code --}, then 12 base32 characters
 *       (60 bits) of a SHA-256 over the exact parts, such as {@code ws-mlhub-a-b-c--k3j5...}. A readable name
 *       never contains {@code --}, so the forms never clash. Two hashed names clash only when the
 *       hashes collide.</li>
 * </ul>
 */
public final class WorkspaceNames {
    /** The maximum length of a DNS label and so of every name made here. */
    public static final int MAX_LENGTH = 63;

    private static final Pattern PLAIN_PART = Pattern.compile("[a-z0-9]+");
    private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");
    private static final int HASH_LENGTH = 12;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private WorkspaceNames() {}

    /** Returns the container name of the workspace, which is also its hostname. */
    public static String container(WorkspaceRef ref) {
        return name("ws", workspaceParts(ref));
    }

    /** Returns the name of the workspace's volume mounted at {@code /workspace}. */
    public static String volume(WorkspaceRef ref) {
        return name("vol", workspaceParts(ref));
    }

    /** Returns the name of the network shared by all workspaces of {@code user} on hub {@code hubName}. */
    public static String network(String hubName, String user) {
        return name("net", List.of(hubName, user));
    }

    private static List<String> workspaceParts(WorkspaceRef ref) {
        // The default server ("") has one part less, so "alice" + "" and a named server never share a name.
        return ref.server().isEmpty()
                ? List.of(ref.hubName(), ref.user())
                : List.of(ref.hubName(), ref.user(), ref.server());
    }

    static String name(String kind, List<String> parts) {
        String readable = kind + "-" + String.join("-", parts);
        if (readable.length() <= MAX_LENGTH && parts.stream().allMatch(part -> PLAIN_PART.matcher(part).matches())) {
            return readable;
        }

        String hash = hash(kind, parts);
        int maxSlugLength = MAX_LENGTH - kind.length() - 1 - 2 - HASH_LENGTH;
        return kind + "-" + slug(parts, maxSlugLength) + "--" + hash;
    }

    /** Returns a lossy, readable stand-in for {@code parts}: never empty, no leading, trailing or double hyphen. */
    private static String slug(List<String> parts, int maxLength) {
        String joined = NOT_SLUG.matcher(String.join("-", parts).toLowerCase(Locale.ROOT)).replaceAll("-");
        String slug = trimHyphens(joined.length() > maxLength ? joined.substring(0, maxLength) : joined);
        return slug.isEmpty() ? "x" : slug;
    }

    private static String trimHyphens(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == '-') {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '-') {
            end--;
        }
        return text.substring(start, end);
    }

    /** Hashes the kind and the parts, each prefixed with its length so that no two lists encode alike. */
    private static String hash(String kind, List<String> parts) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime provides SHA-256", impossible);
        }
        sha256.update(encodeLengthPrefixed(kind));
        for (String part : parts) {
            sha256.update(encodeLengthPrefixed(part));
        }
        return base32(sha256.digest(), HASH_LENGTH);
    }

    private static byte[] encodeLengthPrefixed(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        byte[] prefix = (bytes.length + ":").getBytes(UTF_8);
        byte[] encoded = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, encoded, 0, prefix.length);
        System.arraycopy(bytes, 0, encoded, prefix.length, bytes.length);
        return encoded;
    }

    private static String base32(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; out.length() < length; i++) {
            buffer = (buffer << 8) | (bytes[i] & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < length) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return out.toString();
    }
}
