package io.mlhub.hub.api;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/** Decides where a {@code next=} parameter may send a browser: only to paths of this hub's origin. */
final class SafeRedirects {
    private SafeRedirects() {}

    /** Returns {@code next} when it is a same-origin path under {@code baseUrl}, else {@code fallback}. */
    static String next(@Nullable String next, String baseUrl, String fallback) {
        if (next == null || next.isEmpty() || next.length() > 4096) {
            return fallback;
        }
        if (!next.startsWith("/") || next.startsWith("//") || next.indexOf('\\') >= 0) {
            return fallback;
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                return fallback;
            }
        }
        try {
            URI uri = new URI(next);
            if (uri.getScheme() != null || uri.getRawAuthority() != null || uri.getRawPath() == null) {
                return fallback;
            }
            String path = uri.normalize().getRawPath();
            if (!(path + "/").startsWith(baseUrl) || path.contains("/../")) {
                return fallback;
            }
        } catch (URISyntaxException e) {
            return fallback;
        }
        return next;
    }
}
