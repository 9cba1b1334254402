package io.mlhub.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads the credentials the edge check accepts: the hub's session cookie, or an API token in Authorization. */
final class EdgeCredentials {
    private EdgeCredentials() {}

    /** Returns the value of cookie {@code name}, or {@code null} when no Cookie header carries it. */
    static @Nullable String sessionCookie(HttpHeaders headers, String name) {
        List<String> cookieHeaders = headers.getAll(HttpHeaderNames.COOKIE);
        for (String header : cookieHeaders) {
            String value = cookieValue(header, name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static @Nullable String cookieValue(String header, String name) {
        int start = 0;
        while (start < header.length()) {
            int end = header.indexOf(';', start);
            if (end < 0) {
                end = header.length();
            }
            while (start < end && header.charAt(start) == ' ') {
                start++;
            }
            int equals = header.indexOf('=', start);
            if (equals == start + name.length() && equals < end && header.startsWith(name, start)) {
                String value = header.substring(equals + 1, end).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
            start = end + 1;
        }
        return null;
    }

    /**
     * Returns the API token of an {@code Authorization: token <T>} or {@code Authorization: Bearer <T>} header (the
     * scheme in any case), or {@code null}.
     */
    static @Nullable String apiToken(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = value.substring(0, space);
        if (!scheme.equalsIgnoreCase("token") && !scheme.equalsIgnoreCase("bearer")) {
            return null;
        }
        String token = value.substring(space + 1).trim();
        return token.isEmpty() ? null : token;
    }

    /** Returns whether the client is a browser that can follow a redirect to the login page. */
    static boolean acceptsHtml(HttpHeaders headers) {
        String accept = headers.get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.contains("text/html");
    }
}
