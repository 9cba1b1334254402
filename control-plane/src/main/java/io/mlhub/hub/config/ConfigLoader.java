package io.mlhub.hub.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link HubConfig} from one YAML file and the environment. Environment variables carry the
 * settings named as in the original ML Hub; the YAML file carries the rest. A missing key keeps its default.
 */
public final class ConfigLoader {
    /** Environment variable naming the YAML file. */
    public static final String CONFIG_FILE_ENV = "HUB_CONFIG";
    /** Environment variable naming the data folder. */
    public static final String DATA_FOLDER_ENV = "DATA_FOLDER";

    private static final Set<String> TOP_LEVEL_KEYS = Set.of(
            "baseUrl", "adminUsers", "openSignup", "allowNamedServers", "namedServerLimitPerUser",
            "workspaceImages", "limits", "lockout", "whitelistPath", "database", "minPasswordLength",
            "sessionMaxAgeHours", "slowSpawnTimeoutSeconds", "spawnTimeoutSeconds", "hubConnectUrl", "publicUrl",
            "spawner", "authenticator", "proxy", "ssh", "idleTimeoutSeconds", "logoFile", "logoUrl");

    private ConfigLoader() {}

    /** Loads the file named by {@code HUB_CONFIG}, if set, and the environment of this process. */
    public static HubConfig fromEnvironment() {
        Map<String, String> env = System.getenv();
        String file = env.get(CONFIG_FILE_ENV);
        return load(file == null || file.isBlank() ? null : Path.of(file), env);
    }

    /**
     * Loads {@code yamlFile} (or nothing when {@code null}) and applies {@code env}.
     *
     * @throws ConfigException naming the first bad setting
     */
    public static HubConfig load(@Nullable Path yamlFile, Map<String, String> env) {
        Map<String, Object> yaml = yamlFile == null ? Map.of() : readYaml(yamlFile);
        YamlReader reader = new YamlReader("", yaml);
        reader.rejectUnknownKeys(TOP_LEVEL_KEYS);

        Path dataDir = Path.of(envText(env, DATA_FOLDER_ENV, "data"));
        HubConfig defaults = HubConfig.defaults(dataDir);
        return new HubConfig(
                envText(env, "HUB_NAME", defaults.hubName()),
                envBool(env, "SSL_ENABLED", defaults.sslEnabled()),
                env.containsKey("EXECUTION_MODE")
                        ? ExecutionMode.parse("EXECUTION_MODE", env.get("EXECUTION_MODE"))
                        : defaults.executionMode(),
                envBool(env, "DYNAMIC_WHITELIST_ENABLED", defaults.dynamicWhitelistEnabled()),
                envInt(env, "CLEANUP_INTERVAL_SECONDS", defaults.cleanupIntervalSeconds()),
                dataDir,
                reader.text("baseUrl", defaults.baseUrl()),
                reader.textList("adminUsers", defaults.adminUsers()),
                reader.bool("openSignup", defaults.openSignup()),
                reader.bool("allowNamedServers", defaults.allowNamedServers()),
                reader.integer("namedServerLimitPerUser", defaults.namedServerLimitPerUser()),
                reader.textList("workspaceImages", defaults.workspaceImages()),
                WorkspaceLimits.from(reader.mapping("limits")),
                lockout(reader.mapping("lockout")),
                Path.of(reader.text("whitelistPath", defaults.whitelistPath().toString())),
                database(reader.mapping("database"), defaults.database()),
                reader.integer("minPasswordLength", defaults.minPasswordLength()),
                positiveDuration(reader, "sessionMaxAgeHours", defaults.sessionMaxAge().toHours(), true),
                positiveDuration(reader, "slowSpawnTimeoutSeconds", defaults.slowSpawnTimeout().toSeconds(), false),
                positiveDuration(reader, "spawnTimeoutSeconds", defaults.spawnTimeout().toSeconds(), false),
                reader.optionalText("hubConnectUrl"),
                reader.optionalText("publicUrl"),
                reader.integer("idleTimeoutSeconds", defaults.idleTimeoutSeconds()),
                logoFile(reader.optionalText("logoFile")),
                reader.optionalText("logoUrl"));
    }

    /** Returns the sections the spawners and authenticators read themselves, as plain YAML maps. */
    public static Map<String, Object> section(@Nullable Path yamlFile, String key) {
        if (yamlFile == null) {
            return Map.of();
        }
        return new YamlReader("", readYaml(yamlFile)).mapping(key);
    }

    private static Map<String, Object> readYaml(Path file) {
        try {
            String text = Files.readString(file);
            if (text.isBlank()) {
                return Map.of();
            }
            Object parsed = new ObjectMapper(new YAMLFactory()).readValue(text, Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw ConfigException.invalid(CONFIG_FILE_ENV, file, "a YAML file whose top level is a mapping");
            }
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((k, v) -> result.put(String.valueOf(k), v));
            return result;
        } catch (NoSuchFileException e) {
            throw ConfigException.invalid(CONFIG_FILE_ENV, file, "an existing, readable YAML file");
        } catch (JacksonException e) {
            String reason = e.getOriginalMessage().lines().findFirst().orElse("parse error");
            throw ConfigException.invalid(CONFIG_FILE_ENV, file, "valid YAML; " + reason);
        } catch (IOException e) {
            throw ConfigException.invalid(CONFIG_FILE_ENV, file, "a readable file; " + e.getMessage());
        }
    }

    private static @Nullable Path logoFile(@Nullable String value) {
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw ConfigException.invalid("logoFile", value, "a readable image file");
        }
        return file;
    }

    private static LockoutSettings lockout(Map<String, Object> yaml) {
        YamlReader reader = new YamlReader("lockout", yaml);
        reader.rejectUnknownKeys(Set.of("maxFailedLogins", "seconds"));
        int seconds = reader.integer("seconds", (int) LockoutSettings.DEFAULT.lockDuration().toSeconds());
        if (seconds <= 0) {
            throw ConfigException.invalid("lockout.seconds", seconds, "> 0");
        }
        return new LockoutSettings(
                reader.integer("maxFailedLogins", LockoutSettings.DEFAULT.maxFailedLogins()),
                Duration.ofSeconds(seconds));
    }

    private static DatabaseSettings database(Map<String, Object> yaml, DatabaseSettings defaults) {
        YamlReader reader = new YamlReader("database", yaml);
        reader.rejectUnknownKeys(Set.of("url", "user", "password", "maxPoolSize"));
        String url = reader.text("url", defaults.jdbcUrl());
        boolean sameUrl = url.equals(defaults.jdbcUrl());
        return new DatabaseSettings(
                url,
                reader.text("user", sameUrl ? defaults.user() : null),
                reader.text("password", sameUrl ? defaults.password() : null),
                reader.integer("maxPoolSize", defaults.maxPoolSize()));
    }

    private static Duration positiveDuration(YamlReader reader, String key, long defaultValue, boolean hours) {
        int value = reader.integer(key, (int) defaultValue);
        if (value <= 0) {
            throw ConfigException.invalid(key, value, "> 0");
        }
        return hours ? Duration.ofHours(value) : Duration.ofSeconds(value);
    }

    private static String envText(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    private static boolean envBool(Map<String, String> env, String name, boolean defaultValue) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? defaultValue : YamlReader.parseBoolean(name, value);
    }

    private static int envInt(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(name, value, "an integer");
        }
    }
}
