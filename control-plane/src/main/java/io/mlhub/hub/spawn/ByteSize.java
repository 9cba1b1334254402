package io.mlhub.hub.spawn;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte sizes the way JupyterHub's {@code mem_limit} does: a plain number of bytes, or a
 * number with the binary suffix K, M, G or T (1024-based), such as {@code 512M} or {@code 1.5G}. A trailing
 * {@code B} or {@code iB} and lower-case suffixes are accepted too.
 */
public final class ByteSize {
    private static final Pattern SIZE =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(?:I?B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGT";

    private ByteSize() {}

    /** Parses {@code text}; returns empty when it is not a size or does not fit in a {@code long}. */
    public static OptionalLong parse(String text) {
        Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches()) {
            return OptionalLong.empty();
        }

        BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(multiplier(matcher.group(2))));
        try {
            return OptionalLong.of(bytes.setScale(0, RoundingMode.DOWN).longValueExact());
        } catch (ArithmeticException tooLarge) {
            return OptionalLong.empty();
        }
    }

    /** Formats {@code bytes} with the largest suffix that divides it, such as {@code 512M} or {@code 1000}. */
    public static String format(long bytes) {
        int unit = -1;
        long value = bytes;
        while (unit < UNITS.length() - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return unit < 0 ? Long.toString(value) : value + String.valueOf(UNITS.charAt(unit));
    }

    private static long multiplier(String suffix) {
        if (suffix.isEmpty()) {
            return 1;
        }
        int exponent = UNITS.indexOf(suffix.toUpperCase(Locale.ROOT).charAt(0)) + 1;
        return 1L << (10 * exponent);
    }
}
