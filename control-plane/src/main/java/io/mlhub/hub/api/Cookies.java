package io.mlhub.hub.api;

import io.mlhub.hub.auth.Secrets;

/** Names and attributes of the cookies the hub sets. */
public final class Cookies {
    /** The login session cookie; the proxy reads it on {@code /user/} paths too, so its path is the base URL. */
    public static final String SESSION = "mlhub-session";
    /** The XSRF cookie, readable by page scripts, scoped to the hub's own paths. */
    public static final String XSRF = "_xsrf";
    /** The header that carries the XSRF token, as in JupyterHub and Tornado. */
    public static final String XSRF_HEADER = "X-XSRFToken";

    private Cookies() {}

    /** Returns the XSRF token tied to a session, so it needs no storage and dies with the session. */
    public static String xsrfFor(String sessionSecret) {
        return Secrets.sha256("xsrf:" + sessionSecret).substring(0, 32);
    }

    /** Returns a {@code Set-Cookie} value. */
    static String header(String name, String value, String path, boolean httpOnly, boolean secure, long maxAgeSeconds) {
        StringBuilder cookie = new StringBuilder(name).append('=').append(value).append("; Path=").append(path);
        if (maxAgeSeconds >= 0) {
            cookie.append("; Max-Age=").append(maxAgeSeconds);
        }
        if (httpOnly) {
            cookie.append("; HttpOnly");
        }
        if (secure) {
            cookie.append("; Secure");
        }
        return cookie.append("; SameSite=Lax").toString();
    }
}
