package io.mlhub.ui;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Locates the web pages and their static files on the classpath, so that the control plane can
 * serve them without knowing file names.
 *
 * <p>The control plane serves every file below {@link #STATIC_ROOT} at {@code <base>/hub/static/}
 * and each page of {@link #pageNames()} at {@code <base>/hub/<page name>}, for example the
 * resource of {@code pageResource("login")} at {@code /hub/login}. Pages refer to their files by
 * paths relative to {@code /hub/}, so a page route must not end in a slash.
 */
public final class UiAssets {

    /** Classpath folder of all static files, with a trailing slash and no leading one. */
    public static final String STATIC_ROOT = "io/mlhub/ui/static/";

    /** URL path below the hub's base URL where the files of {@link #STATIC_ROOT} are served. */
    public static final String STATIC_URL_PATH = "hub/static/";

    private static final Map<String, String> PAGES = pages();

    // Lower-case names with dots, dashes and underscores, in folders; no "..", no empty segment.
    private static final Pattern STATIC_PATH = Pattern.compile("([a-z0-9_-]+/)*[a-z0-9_-]+(\\.[a-z0-9_-]+)+");

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    private UiAssets() {
    }

    private static Map<String, String> pages() {
        Map<String, String> pages = new LinkedHashMap<>();
        for (String name : List.of("login", "signup", "home", "token", "admin", "ssh", "change-password")) {
            pages.put(name, STATIC_ROOT + name + ".html");
        }
        return pages;
    }

    /** Returns the names of all pages, each served at {@code <base>/hub/<name>}. */
    public static List<String> pageNames() {
        return List.copyOf(PAGES.keySet());
    }

    /**
     * Returns the classpath resource of a page, e.g. {@code io/mlhub/ui/static/login.html}.
     *
     * @throws IllegalArgumentException if no page has this name
     */
    public static String pageResource(String pageName) {
        requireNonNull(pageName, "pageName");
        String resource = PAGES.get(pageName);
        if (resource == null) {
            throw new IllegalArgumentException("pageName: " + pageName + " (expected one of: " + PAGES.keySet() + ")");
        }
        return resource;
    }

    /**
     * Returns the classpath resource for a path below {@code <base>/hub/static/}, or empty when the
     * path is not a plain relative file path (a traversal such as {@code ../x}, an absolute path, or
     * characters outside lower-case letters, digits, {@code . _ -} and {@code /}). Whether the
     * resource exists is for the caller to check.
     */
    public static Optional<String> staticResource(String relativePath) {
        requireNonNull(relativePath, "relativePath");
        if (!STATIC_PATH.matcher(relativePath).matches()) {
            return Optional.empty();
        }
        return Optional.of(STATIC_ROOT + relativePath);
    }

    /** Returns the Content-Type for a file name by its extension, or application/octet-stream. */
    public static String contentType(String fileName) {
        requireNonNull(fileName, "fileName");
        int dot = fileName.lastIndexOf('.');
        String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
    }
}
