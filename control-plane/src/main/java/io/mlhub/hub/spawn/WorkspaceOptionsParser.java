package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns JupyterHub {@code user_options} (a JSON object from the API, or the fields of the options form)
 * into validated {@link WorkspaceOptions}. Every field is optional; a missing, {@code null} or empty value
 * takes the default. A bad value raises {@link InvalidOptionException} naming the field.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>accepted values</th><th>when missing</th></tr>
 *   <tr><td>{@code image}</td><td>one of the configured workspace images</td><td>the first image</td></tr>
 *   <tr><td>{@code cpu_limit}</td><td>cores, a number &gt; 0 such as {@code 1.5}</td><td>the maximum, or
 *     none</td></tr>
 *   <tr><td>{@code mem_limit}</td><td>bytes, or a number with K, M, G or T (1024-based): {@code 512M},
 *     {@code 2G}; at least 6M</td><td>the maximum, or none</td></tr>
 *   <tr><td>{@code gpus}</td><td>{@code all}, a count such as {@code 2}, or device ids: a JSON list,
 *     {@code 0,1}, or {@code device=1} for a single id (as {@code docker run --gpus} reads them)</td>
 *     <td>none</td></tr>
 *   <tr><td>{@code env}</td><td>an object of name to value, or {@code NAME=value} lines (blank lines and
 *     lines starting with {@code #} are skipped)</td><td>none</td></tr>
 *   <tr><td>{@code days_to_live}</td><td>a whole number of days &gt;= 1</td><td>the maximum, or
 *     never</td></tr>
 *   <tr><td>{@code shm_size}</td><td>a size as for {@code mem_limit}, at least 1M</td><td>the engine's
 *     default</td></tr>
 *   <tr><td>{@code volume}</td><td>{@code true}/{@code false}, also {@code on}, {@code yes}, {@code 1}
 *     and their opposites</td><td>{@code false}</td></tr>
 * </table>
 *
 * <p>Unknown fields are rejected so that a misspelt option is not silently ignored. So are fields the engine
 * cannot honour ({@link EngineCapabilities#supports}), such as {@code gpus} for local processes, unless their
 * value is empty or off ({@code false}, {@code 0}, or the default image), as stored options of a server re-read
 * at its next start contain them.
 */
public final class WorkspaceOptionsParser {
    /** Docker rejects memory limits below 6 MiB. */
    public static final long MIN_MEMORY_BYTES = 6L << 20;
    /** The smallest shared-memory size accepted. */
    public static final long MIN_SHM_BYTES = 1L << 20;
    /** The {@code user_options} field names this parser reads. */
    public static final List<String> FIELDS =
            List.of("image", "cpu_limit", "mem_limit", "gpus", "env", "days_to_live", "shm_size", "volume");

    static final int MAX_ENV_ENTRIES = 100;
    static final int MAX_ENV_VALUE_LENGTH = 32 * 1024;
    /** The maximum of all names and values together, so that the stored options fit their database column. */
    static final int MAX_ENV_TOTAL_LENGTH = 64 * 1024;

    private static final Pattern GPU_DEVICE_ID = Pattern.compile("[0-9]{1,4}|GPU-[0-9a-fA-F-]{8,64}");
    private static final Pattern RESERVED_ENV_NAME =
            Pattern.compile("(JUPYTERHUB_|JPY_|MLHUB_).*|MAX_NUM_THREADS", Pattern.CASE_INSENSITIVE);
    private static final Set<String> FORM_FIELDS_IGNORED = Set.of("_xsrf");

    /** A GPU request: a count ({@code -1} for all) or device ids. */
    private record Gpus(int count, List<String> deviceIds) {
        static final Gpus NONE = new Gpus(0, List.of());
    }

    private final SpawnerSettings settings;
    private final EngineCapabilities capabilities;

    public WorkspaceOptionsParser(SpawnerSettings settings, EngineCapabilities capabilities) {
        this.settings = requireNonNull(settings, "settings");
        this.capabilities = requireNonNull(capabilities, "capabilities");
    }

    /**
     * Parses the {@code user_options} object of an API request, as Jackson reads it: values may be strings,
     * numbers, booleans, lists or maps.
     */
    public WorkspaceOptions parse(Map<String, ?> userOptions) throws InvalidOptionException {
        requireNonNull(userOptions, "userOptions");
        for (String field : userOptions.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidOptionException(field, "unknown option (expected one of: "
                        + String.join(", ", FIELDS) + ")");
            }
        }

        for (Map.Entry<String, ?> field : userOptions.entrySet()) {
            // A GPU request gets its own message from the GPU checks below.
            boolean gpus = field.getKey().equals("gpus");
            if (!gpus && !capabilities.supports(field.getKey()) && isSet(field.getKey(), field.getValue())) {
                throw new InvalidOptionException(field.getKey(), "not supported by this hub's workspace engine "
                        + "(supported: " + String.join(", ", capabilities.supportedOptions()) + ")");
            }
        }

        Gpus gpus = gpus(userOptions.get("gpus"));
        boolean limits = capabilities.resourceLimits();
        return new WorkspaceOptions(
                capabilities.images() ? image(userOptions.get("image")) : settings.defaultImage(),
                limits ? cpuLimit(userOptions.get("cpu_limit")) : null,
                limits ? memoryLimit(userOptions.get("mem_limit")) : null,
                gpus.count(),
                gpus.deviceIds(),
                environment(userOptions.get("env")),
                daysToLive(userOptions.get("days_to_live")),
                capabilities.sharedMemory() ? shmSize(userOptions.get("shm_size")) : null,
                capabilities.volumes() && volume(userOptions.get("volume")));
    }

    /** Returns whether an option's value requests something, as opposed to being empty, off or the default. */
    private boolean isSet(String field, @Nullable Object value) {
        if (value == null || value instanceof Boolean flag && !flag) {
            return false;
        }
        if (value instanceof List<?> list) {
            return !list.isEmpty();
        }
        String text = value.toString().strip();
        return switch (field) {
            case "image" -> !text.isEmpty() && !text.equals(settings.defaultImage());
            case "volume" -> !text.isEmpty()
                    && !List.of("false", "off", "no", "0").contains(text.toLowerCase(Locale.ROOT));
            default -> !text.isEmpty();
        };
    }

    /**
     * Parses the fields of the options form; each field may appear at most once, and {@code _xsrf} is
     * skipped. An unchecked {@code volume} box is simply absent.
     */
    public WorkspaceOptions parseForm(Map<String, List<String>> form) throws InvalidOptionException {
        requireNonNull(form, "form");
        Map<String, Object> userOptions = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> field : form.entrySet()) {
            if (FORM_FIELDS_IGNORED.contains(field.getKey())) {
                continue;
            }
            List<String> values = field.getValue();
            if (values.size() > 1) {
                throw new InvalidOptionException(field.getKey(), "given " + values.size() + " times (expected: once)");
            }
            if (!values.isEmpty()) {
                userOptions.put(field.getKey(), values.getFirst());
            }
        }
        return parse(userOptions);
    }

    /**
     * Returns {@code options} as a {@code user_options} object that {@link #parse} reads back to the same
     * options, for storing them with the server and re-applying them at its next start.
     */
    public static Map<String, Object> toUserOptions(WorkspaceOptions options) {
        Map<String, Object> userOptions = new LinkedHashMap<>();
        userOptions.put("image", options.image());
        if (options.cpuLimit() != null) {
            userOptions.put("cpu_limit", options.cpuLimit());
        }
        if (options.memoryLimitBytes() != null) {
            userOptions.put("mem_limit", options.memoryLimitBytes());
        }
        if (!options.gpuDeviceIds().isEmpty()) {
            userOptions.put("gpus", options.gpuDeviceIds());
        } else if (options.gpuCount() != 0) {
            userOptions.put("gpus", options.gpuCount() < 0 ? "all" : Integer.toString(options.gpuCount()));
        }
        if (!options.environment().isEmpty()) {
            userOptions.put("env", options.environment());
        }
        if (options.daysToLive() != null) {
            userOptions.put("days_to_live", options.daysToLive());
        }
        if (options.shmSizeBytes() != null) {
            userOptions.put("shm_size", options.shmSizeBytes());
        }
        userOptions.put("volume", options.mountVolume());
        return userOptions;
    }

    private String image(@Nullable Object value) throws InvalidOptionException {
        String image = text("image", value);
        if (image == null) {
            return settings.defaultImage();
        }
        if (!settings.workspaceImages().contains(image)) {
            throw new InvalidOptionException("image", quote(image) + " is not offered (expected one of: "
                    + String.join(", ", settings.workspaceImages()) + ")");
        }
        return image;
    }

    private @Nullable Double cpuLimit(@Nullable Object value) throws InvalidOptionException {
        String text = text("cpu_limit", value);
        if (text == null) {
            return settings.maxCpus();
        }

        double cpus;
        try {
            cpus = Double.parseDouble(text);
        } catch (NumberFormatException notNumber) {
            throw new InvalidOptionException("cpu_limit", quote(text) + " is not a number (expected: cores, such as 2 "
                    + "or 0.5)");
        }
        if (!(cpus > 0 && Double.isFinite(cpus))) {
            throw new InvalidOptionException("cpu_limit", text + " (expected: a number of cores > 0)");
        }
        // Docker's NanoCpus has nanocore resolution; anything finer would round to zero.
        if (cpus < 0.01) {
            throw new InvalidOptionException("cpu_limit", text + " is too small (expected: >= 0.01)");
        }
        Double max = settings.maxCpus();
        if (max != null && cpus > max) {
            throw new InvalidOptionException("cpu_limit", text + " is over the maximum of " + max + " cores");
        }
        return cpus;
    }

    private @Nullable Long memoryLimit(@Nullable Object value) throws InvalidOptionException {
        Long bytes = size("mem_limit", value, MIN_MEMORY_BYTES, settings.maxMemoryBytes());
        return bytes == null ? settings.maxMemoryBytes() : bytes;
    }

    private @Nullable Long shmSize(@Nullable Object value) throws InvalidOptionException {
        return size("shm_size", value, MIN_SHM_BYTES, settings.maxShmBytes());
    }

    private static @Nullable Long size(String field, @Nullable Object value, long min, @Nullable Long max)
            throws InvalidOptionException {
        String text = text(field, value);
        if (text == null) {
            return null;
        }

        OptionalLong parsed = ByteSize.parse(text);
        if (parsed.isEmpty()) {
            throw new InvalidOptionException(field, quote(text) + " is not a size (expected: bytes, or a number "
                    + "with K, M, G or T such as 512M or 2G)");
        }
        long bytes = parsed.getAsLong();
        if (bytes < min) {
            throw new InvalidOptionException(field, text + " is too small (expected: >= " + ByteSize.format(min) + ")");
        }
        if (max != null && bytes > max) {
            throw new InvalidOptionException(field, text + " is over the maximum of " + ByteSize.format(max));
        }
        return bytes;
    }

    private Gpus gpus(@Nullable Object value) throws InvalidOptionException {
        if (value instanceof List<?> list) {
            List<String> ids = new ArrayList<>();
            for (Object item : list) {
                String id = text("gpus", item);
                if (id == null) {
                    throw new InvalidOptionException("gpus", "empty device id in the list");
                }
                ids.add(id);
            }
            return deviceIds(ids);
        }

        String text = text("gpus", value);
        if (text == null) {
            return Gpus.NONE;
        }
        if (text.equalsIgnoreCase("all")) {
            return allGpus();
        }
        if (text.matches("[0-9]{1,4}")) {
            return gpuCount(Integer.parseInt(text));
        }
        String ids = text.regionMatches(true, 0, "device=", 0, 7) ? text.substring(7) : text;
        return deviceIds(List.of(ids.split(",", -1)));
    }

    private Gpus allGpus() throws InvalidOptionException {
        requireGpus();
        if (settings.maxGpus() != null) {
            throw new InvalidOptionException("gpus", "'all' is not allowed (expected: a count or device ids, at most "
                    + settings.maxGpus() + ")");
        }
        return new Gpus(-1, List.of());
    }

    private Gpus gpuCount(int count) throws InvalidOptionException {
        if (count == 0) {
            return Gpus.NONE;
        }
        requireGpus();
        requireAtMostMaxGpus(count);
        return new Gpus(count, List.of());
    }

    private Gpus deviceIds(List<String> request) throws InvalidOptionException {
        Set<String> ids = new LinkedHashSet<>();
        for (String item : request) {
            String id = item.strip();
            if (!GPU_DEVICE_ID.matcher(id).matches()) {
                throw new InvalidOptionException("gpus", quote(id) + " is not a GPU device id (expected: 'all', a "
                        + "count, or device ids such as 0,1 or device=0)");
            }
            if (!ids.add(id)) {
                throw new InvalidOptionException("gpus", "device " + id + " is listed twice");
            }
        }
        requireGpus();
        requireAtMostMaxGpus(ids.size());
        return new Gpus(0, List.copyOf(ids));
    }

    private void requireGpus() throws InvalidOptionException {
        if (!capabilities.gpus()) {
            throw new InvalidOptionException("gpus", "this hub's engine has no GPU support (expected: no gpus)");
        }
        if (settings.maxGpus() != null && settings.maxGpus() == 0) {
            throw new InvalidOptionException("gpus", "GPUs are not enabled on this hub (expected: no gpus)");
        }
    }

    private void requireAtMostMaxGpus(int count) throws InvalidOptionException {
        Integer max = settings.maxGpus();
        if (max != null && count > max) {
            throw new InvalidOptionException("gpus", count + " GPUs is over the maximum of " + max);
        }
    }

    private Map<String, String> environment(@Nullable Object value) throws InvalidOptionException {
        Map<String, String> environment = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String name = String.valueOf(entry.getKey());
                putEnvironment(environment, name, envValue(name, entry.getValue()));
            }
        } else if (value instanceof String lines) {
            for (String line : lines.split("\\R")) {
                parseEnvLine(environment, line);
            }
        } else if (value != null) {
            throw new InvalidOptionException("env", "is a " + typeName(value) + " (expected: an object of name to "
                    + "value, or NAME=value lines)");
        }
        long total = 0;
        for (Map.Entry<String, String> entry : environment.entrySet()) {
            total += entry.getKey().length() + entry.getValue().length();
        }
        if (total > MAX_ENV_TOTAL_LENGTH) {
            throw new InvalidOptionException("env", "has " + total + " characters in names and values (expected: "
                    + "at most " + MAX_ENV_TOTAL_LENGTH + ")");
        }
        return environment;
    }

    private void parseEnvLine(Map<String, String> environment, String line) throws InvalidOptionException {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return;
        }
        // The value is kept as written, spaces included, as a shell assignment would keep a quoted value.
        int equals = line.indexOf('=');
        if (equals < 0 || line.substring(0, equals).isBlank()) {
            throw new InvalidOptionException("env", "line " + quote(trimmed) + " is not NAME=value");
        }
        putEnvironment(environment, line.substring(0, equals).strip(), line.substring(equals + 1));
    }

    private void putEnvironment(Map<String, String> environment, String name, String value)
            throws InvalidOptionException {
        if (!settings.allowedEnvNames().matcher(name).matches()) {
            throw new InvalidOptionException("env", "variable name " + quote(abbreviate(name)) + " is not allowed "
                    + "(expected: letters, digits and _, not starting with a digit)");
        }
        if (RESERVED_ENV_NAME.matcher(name).matches()) {
            throw new InvalidOptionException("env", "variable " + name + " is set by the hub and cannot be changed");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidOptionException("env", "value of " + name + " contains a NUL character");
        }
        if (value.length() > MAX_ENV_VALUE_LENGTH) {
            throw new InvalidOptionException("env", "value of " + name + " has " + value.length()
                    + " characters (expected: at most " + MAX_ENV_VALUE_LENGTH + ")");
        }
        if (environment.put(name, value) != null) {
            throw new InvalidOptionException("env", "variable " + name + " is given twice");
        }
        if (environment.size() > MAX_ENV_ENTRIES) {
            throw new InvalidOptionException("env", "more than " + MAX_ENV_ENTRIES + " variables");
        }
    }

    private static String envValue(String name, @Nullable Object value) throws InvalidOptionException {
        return switch (value) {
            case String text -> text;
            case Number number -> number.toString();
            case Boolean flag -> flag.toString();
            case null -> throw new InvalidOptionException("env", "value of " + name + " is null (expected: text)");
            default -> throw new InvalidOptionException("env", "value of " + name + " is a " + typeName(value)
                    + " (expected: text)");
        };
    }

    private @Nullable Integer daysToLive(@Nullable Object value) throws InvalidOptionException {
        String text = text("days_to_live", value);
        if (text == null) {
            return settings.maxDaysToLive();
        }

        int days;
        try {
            days = Integer.parseInt(text);
        } catch (NumberFormatException notWhole) {
            throw new InvalidOptionException("days_to_live", quote(text) + " is not a whole number of days");
        }
        if (days < 1) {
            throw new InvalidOptionException("days_to_live", days + " (expected: >= 1)");
        }
        Integer max = settings.maxDaysToLive();
        if (max != null && days > max) {
            throw new InvalidOptionException("days_to_live", days + " is over the maximum of " + max + " days");
        }
        return days;
    }

    private boolean volume(@Nullable Object value) throws InvalidOptionException {
        boolean wanted = flag(value);
        if (wanted && !(settings.volumesAllowed() && capabilities.volumes())) {
            throw new InvalidOptionException("volume", "named volumes are not enabled on this hub (expected: false)");
        }
        return wanted;
    }

    private static boolean flag(@Nullable Object value) throws InvalidOptionException {
        if (value instanceof Boolean bool) {
            return bool;
        }
        String text = text("volume", value);
        if (text == null) {
            return false;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new InvalidOptionException("volume", quote(text) + " is not a yes/no value (expected: "
                    + "true or false)");
        };
    }

    /**
     * Returns a scalar option as stripped text, or {@code null} when it is missing or empty. Whole numbers
     * stored as doubles (JSON {@code 2.0}) keep their fraction, so they still parse as numbers.
     */
    private static @Nullable String text(String field, @Nullable Object value) throws InvalidOptionException {
        return switch (value) {
            case null -> null;
            case String text -> text.isBlank() ? null : text.strip();
            case Number number -> number.toString();
            case Boolean flag -> throw new InvalidOptionException(field, flag + " is not valid here (expected: "
                    + "text or a number)");
            default -> throw new InvalidOptionException(field, "is a " + typeName(value) + " (expected: text or a "
                    + "number)");
        };
    }

    private static String typeName(Object value) {
        return switch (value) {
            case Map<?, ?> ignored -> "JSON object";
            case List<?> ignored -> "JSON list";
            case Boolean ignored -> "boolean";
            case Number ignored -> "number";
            default -> value.getClass().getSimpleName();
        };
    }

    private static String quote(String text) {
        return "'" + abbreviate(text) + "'";
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
