package io.mlhub.hub.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Minimal HTML pages the hub falls back to when no web UI is installed. They post the same forms the full pages
 * post, so every flow works without the UI.
 */
final class Pages {
    private Pages() {}

    static Response login(int status, String hubPrefix, String next, String message) {
        String body = "<h1>Sign in</h1>" + paragraph(message)
                + "<form method=\"post\" action=\"" + escape(hubPrefix) + "login?next=" + escape(urlEncode(next))
                + "\"><label>Username <input name=\"username\" autofocus></label> "
                + "<label>Password <input name=\"password\" type=\"password\"></label> "
                + "<button type=\"submit\">Sign in</button></form>"
                + "<p><a href=\"" + escape(hubPrefix) + "signup\">Sign up</a></p>";
        return page(status, "Sign in", body);
    }

    static Response signup(int status, String hubPrefix, String message) {
        String body = "<h1>Sign up</h1>" + paragraph(message)
                + "<form method=\"post\" action=\"" + escape(hubPrefix) + "signup\">"
                + "<label>Username <input name=\"username\"></label> "
                + "<label>Password <input name=\"password\" type=\"password\"></label> "
                + "<button type=\"submit\">Sign up</button></form>"
                + "<p><a href=\"" + escape(hubPrefix) + "login\">Sign in</a></p>";
        return page(status, "Sign up", body);
    }

    static Response message(int status, String title, String message) {
        return page(status, title, "<h1>" + escape(title) + "</h1>" + paragraph(message));
    }

    private static Response page(int status, String title, String body) {
        String html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head><body>" + body + "</body></html>";
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html).build();
    }

    private static String paragraph(String message) {
        return message.isEmpty() ? "" : "<p>" + escape(message) + "</p>";
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String urlEncode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
