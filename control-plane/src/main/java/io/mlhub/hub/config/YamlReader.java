package io.mlhub.hub.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Typed access to one YAML mapping, with errors that name the full setting path; spawners read their section with it. */
public final class YamlReader {
    private final String prefix;
    private final Map<String, Object> values;

    public YamlReader(String prefix, Map<String, Object> values) {
        this.prefix = prefix;
        this.values = values;
    }

    public void rejectUnknownKeys(Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw ConfigException.invalid(path(key), "(unknown key)", "one of " + new TreeSet<>(known));
            }
        }
    }

    public String text(String key, String defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Map || value instanceof List) {
            throw ConfigException.invalid(path(key), value, "a string");
        }
        return value.toString();
    }

    public @Nullable String optionalText(String key) {
        Object value = values.get(key);
        return value == null ? null : text(key, "");
    }

    public boolean bool(String key, boolean defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        return parseBoolean(path(key), value.toString());
    }

    public int integer(String key, int defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Integer i) {
            return i;
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(path(key), value, "an integer");
        }
    }

    public double decimal(String key, double defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(value.toString().trim());
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(path(key), value, "a number");
        }
    }

    public List<String> textList(String key, List<String> defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof List<?> list)) {
            throw ConfigException.invalid(path(key), value, "a list of strings");
        }
        List<String> result = new ArrayList<>();
        for (Object item : list) {
            if (item == null || item instanceof Map || item instanceof List) {
                throw ConfigException.invalid(path(key), value, "a list of strings");
            }
            result.add(item.toString());
        }
        return List.copyOf(result);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> mapping(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw ConfigException.invalid(path(key), value, "a mapping");
        }
        return (Map<String, Object>) value;
    }

    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    public static boolean parseBoolean(String setting, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw ConfigException.invalid(setting, value, "true or false");
        };
    }
}
