package io.mlhub.hub.auth;

import java.util.regex.Pattern;

/**
 * The one rule set for user and server names, applied at every entry point: forms, API paths, JSON bodies,
 * the configuration and the whitelist file.
 *
 * <p>A name is 1 to 32 characters of ASCII letters, digits, {@code -}, {@code _} and {@code .}; it starts and
 * ends with a letter or digit. ASCII upper case is folded to lower case, so login is case-insensitive.
 * Nothing else is folded: whitespace, non-ASCII letters (whose lower-casing depends on the locale or merges
 * distinct letters) and other punctuation are rejected. Two inputs therefore map to the same name only if they
 * differ in ASCII letter case.
 */
public final class NameRules {
    /** Maximum length of a user or server name. */
    public static final int MAX_LENGTH = 32;

    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?");
    private static final String RULE = "1 to " + MAX_LENGTH
            + " ASCII letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    private NameRules() {}

    /**
     * Returns the normalised user name.
     *
     * @throws InvalidNameException naming the value and the rule
     */
    public static String user(String input) {
        return normalise("user name", input);
    }

    /**
     * Returns the normalised server name; the default server's empty name is returned unchanged.
     *
     * @throws InvalidNameException naming the value and the rule
     */
    public static String server(String input) {
        if (input.isEmpty()) {
            return input;
        }
        return normalise("server name", input);
    }

    private static String normalise(String what, String input) {
        if (input.isEmpty() || input.length() > MAX_LENGTH) {
            throw invalid(what, input);
        }
        StringBuilder folded = new StringBuilder(input.length());
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        String name = folded.toString();
        if (!NAME.matcher(name).matches()) {
            throw invalid(what, input);
        }
        return name;
    }

    private static InvalidNameException invalid(String what, String input) {
        String shown = input.length() > 64 ? input.substring(0, 64) + "..." : input;
        return new InvalidNameException("invalid " + what + " '" + printable(shown) + "': expected " + RULE);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || Character.isWhitespace(cp) && cp != ' ') {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
