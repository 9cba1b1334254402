package io.mlhub.proxy.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one canonical form of route prefixes and request paths, used both when routes are written and matched.
 *
 * <p>The canonical form of a path:
 * <ul>
 *   <li>starts with {@code /} and has no trailing {@code /}, except for the root {@code /} itself;
 *   <li>has no empty segments ({@code //} collapses to {@code /}) and no dot segments: {@code .} is dropped and
 *       {@code ..} removes the segment before it, also when written as {@code %2e} or {@code %2E%2e};
 *   <li>shows unreserved characters (RFC 3986: letters, digits, {@code -._~}) and {@code @} plainly, even when the
 *       input percent-encoded them;
 *   <li>percent-encodes, with upper-case hex digits, every other byte that is not allowed plainly in a path segment
 *       (space, {@code "}, {@code \}, {@code %}, non-ASCII characters as UTF-8, and so on);
 *   <li>keeps {@code %2F} as an encoded character inside its segment, so it never acts as a separator.
 * </ul>
 * A path whose dot segments climb above the root, that contains a control character (raw or percent-encoded), or
 * a {@code %} not followed by two hex digits is rejected with {@link IllegalArgumentException}.
 */
public final class RouteKeys {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Characters that stand for themselves in a canonical segment: unreserved, sub-delims, ':' and '@'. */
    private static final boolean[] PLAIN = new boolean[128];

    /** Characters whose percent-encoding is decoded: unreserved and '@'. */
    private static final boolean[] DECODED = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PLAIN[c] = true;
            PLAIN[c - 'a' + 'A'] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PLAIN[c] = true;
        }
        for (char c : "-._~@".toCharArray()) {
            PLAIN[c] = true;
        }
        System.arraycopy(PLAIN, 0, DECODED, 0, PLAIN.length);
        for (char c : "!$&'()*+,;=:".toCharArray()) {
            PLAIN[c] = true;
        }
    }

    private RouteKeys() {}

    /**
     * Returns the canonical form of a route prefix or request path (without query), in which {@code %} starts a
     * percent-encoding.
     *
     * @throws IllegalArgumentException if the path is malformed or would climb above the root
     */
    public static String canonical(String path) {
        return stripTrailingSlash(normalize(path));
    }

    /**
     * Returns the canonical form of a path whose percent-encodings were already decoded, as the route API of
     * configurable-http-proxy stores them: every character stands for itself, so {@code %} becomes {@code %25}.
     *
     * @throws IllegalArgumentException if the path contains a control character or would climb above the root
     */
    public static String canonicalFromDecoded(String decodedPath) {
        return stripTrailingSlash(rebuild(decodedPath, false));
    }

    /**
     * Returns a request path (without query) in canonical form but with its trailing slash kept: the form the
     * proxy matches (after {@link #stripTrailingSlash}) and forwards upstream.
     *
     * @throws IllegalArgumentException if the path is malformed or would climb above the root
     */
    public static String normalize(String path) {
        if (isAlreadyNormal(path)) {
            return path;
        }
        return rebuild(path, true);
    }

    /** Returns a normalized path without its trailing slash, or {@code /} for the root. */
    public static String stripTrailingSlash(String normalizedPath) {
        int length = normalizedPath.length();
        if (length > 1 && normalizedPath.charAt(length - 1) == '/') {
            return normalizedPath.substring(0, length - 1);
        }
        return normalizedPath;
    }

    /**
     * Decodes every percent-encoding of a canonical path (as UTF-8), for display and for the route API, which
     * returns keys decoded. {@code %2F} becomes {@code /}, so the result is not always canonical again.
     */
    public static String decode(String canonicalPath) {
        if (canonicalPath.indexOf('%') < 0) {
            return canonicalPath;
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(canonicalPath.length());
        for (int i = 0; i < canonicalPath.length(); i++) {
            char c = canonicalPath.charAt(i);
            if (c == '%' && i + 2 < canonicalPath.length()) {
                bytes.write(hexValue(canonicalPath, i + 1) << 4 | hexValue(canonicalPath, i + 2));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Returns whether a path is already normal: only plain characters, no '%', no empty or dot segments. This is
     * the common case, checked without allocating.
     */
    private static boolean isAlreadyNormal(String path) {
        int length = path.length();
        if (length == 0 || path.charAt(0) != '/') {
            return false;
        }

        int segmentStart = 1;
        for (int i = 1; i <= length; i++) {
            char c = i < length ? path.charAt(i) : '/';
            if (c == '/') {
                if (isDotOrEmpty(path, segmentStart, i) && !(i == length && segmentStart == length)) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (c >= 128 || !PLAIN[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDotOrEmpty(String path, int start, int end) {
        int length = end - start;
        return length == 0
                || (length == 1 && path.charAt(start) == '.')
                || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
    }

    /** The slow path: splits into segments, re-encodes each, and resolves dot and empty segments. */
    private static String rebuild(String path, boolean percentIsEscape) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("path does not start with '/'");
        }

        StringBuilder out = new StringBuilder(path.length() + 8);
        int[] segmentEnds = new int[countSlashes(path) + 1];
        int depth = 0;
        boolean trailingSlash = false;
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }

            int before = out.length();
            out.append('/');
            appendSegment(out, path, start, end, percentIsEscape);
            String segment = out.substring(before + 1);
            if (segment.isEmpty() || segment.equals(".")) {
                out.setLength(before);
                trailingSlash = true;
            } else if (segment.equals("..")) {
                if (depth == 0) {
                    throw new IllegalArgumentException("path climbs above the root");
                }
                depth--;
                out.setLength(depth == 0 ? 0 : segmentEnds[depth - 1]);
                trailingSlash = true;
            } else {
                segmentEnds[depth++] = out.length();
                trailingSlash = false;
            }
            start = end + 1;
        }

        if (out.isEmpty() || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }

    private static int countSlashes(String path) {
        int count = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }

    private static void appendSegment(StringBuilder out, String path, int start, int end, boolean percentIsEscape) {
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            if (c == '%' && percentIsEscape) {
                if (i + 2 >= end) {
                    throw new IllegalArgumentException("malformed percent-encoding at index " + i);
                }
                appendByte(out, hexValue(path, i + 1) << 4 | hexValue(path, i + 2), true);
                i += 2;
            } else if (c < 128) {
                appendByte(out, c, false);
            } else {
                int codePoint = path.codePointAt(i);
                if (Character.isISOControl(codePoint)) {
                    throw new IllegalArgumentException("control character in path");
                }
                i += Character.charCount(codePoint) - 1;
                for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
                    appendEncoded(out, b & 0xFF);
                }
            }
        }
    }

    private static void appendByte(StringBuilder out, int value, boolean wasEncoded) {
        if (value < 0x20 || value == 0x7F) {
            throw new IllegalArgumentException("control character in path");
        }
        if (value < 128 && (wasEncoded ? DECODED[value] : PLAIN[value])) {
            out.append((char) value);
        } else {
            appendEncoded(out, value);
        }
    }

    private static void appendEncoded(StringBuilder out, int value) {
        out.append('%').append(HEX[value >> 4]).append(HEX[value & 0xF]);
    }

    private static int hexValue(String path, int index) {
        char c = path.charAt(index);
        int value = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
        if (value < 0) {
            throw new IllegalArgumentException("malformed percent-encoding at index " + (index - 1));
        }
        return value;
    }
}
