package io.mlhub.hub.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkspaceOptionsParserTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    private static final SpawnerSettings SETTINGS = new SpawnerSettings(
            List.of("mlhub-test-jupyter:latest", "mlhub-test-tiny:latest"),
            4.0, 8 * GIB, 2, 30, GIB, SpawnerSettings.SHELL_VARIABLE_NAME, true);
    private static final EngineCapabilities ALL = EngineCapabilities.container(true);

    private final WorkspaceOptionsParser parser = new WorkspaceOptionsParser(SETTINGS, ALL);

    @Test
    void emptyOptionsTakeDefaultsAndMaximums() throws Exception {
        WorkspaceOptions options = parser.parse(Map.of());

        assertThat(options.image()).isEqualTo("mlhub-test-jupyter:latest");
        assertThat(options.cpuLimit()).isEqualTo(4.0);
        assertThat(options.memoryLimitBytes()).isEqualTo(8 * GIB);
        assertThat(options.gpuCount()).isZero();
        assertThat(options.gpuDeviceIds()).isEmpty();
        assertThat(options.environment()).isEmpty();
        assertThat(options.daysToLive()).isEqualTo(30);
        assertThat(options.shmSizeBytes()).isNull();
        assertThat(options.mountVolume()).isFalse();
    }

    @Test
    void noMaximumsMeansNoLimits() throws Exception {
        WorkspaceOptionsParser unlimited = new WorkspaceOptionsParser(SpawnerSettings.defaults(List.of("img")), ALL);

        WorkspaceOptions options = unlimited.parse(Map.of());

        assertThat(options.cpuLimit()).isNull();
        assertThat(options.memoryLimitBytes()).isNull();
        assertThat(options.daysToLive()).isNull();
    }

    static Stream<Arguments> goodValues() {
        return Stream.of(
                Arguments.of("image", "mlhub-test-tiny:latest", "image", "mlhub-test-tiny:latest"),
                Arguments.of("image", " ", "image", "mlhub-test-jupyter:latest"),
                Arguments.of("cpu_limit", 1.5, "cpuLimit", 1.5),
                Arguments.of("cpu_limit", "2", "cpuLimit", 2.0),
                Arguments.of("cpu_limit", 4, "cpuLimit", 4.0),
                Arguments.of("cpu_limit", "", "cpuLimit", 4.0),
                Arguments.of("mem_limit", "2G", "memoryLimitBytes", 2 * GIB),
                Arguments.of("mem_limit", "512M", "memoryLimitBytes", 512 * MIB),
                Arguments.of("mem_limit", "512m", "memoryLimitBytes", 512 * MIB),
                Arguments.of("mem_limit", "1.5G", "memoryLimitBytes", 3 * GIB / 2),
                Arguments.of("mem_limit", "2GiB", "memoryLimitBytes", 2 * GIB),
                Arguments.of("mem_limit", 268435456L, "memoryLimitBytes", 256 * MIB),
                Arguments.of("mem_limit", "268435456", "memoryLimitBytes", 256 * MIB),
                Arguments.of("gpus", "all-unlimited", "gpuCount", -1),
                Arguments.of("gpus", 2, "gpuCount", 2),
                Arguments.of("gpus", "1", "gpuCount", 1),
                Arguments.of("gpus", "0", "gpuCount", 0),
                Arguments.of("gpus", "0,1", "gpuDeviceIds", List.of("0", "1")),
                Arguments.of("gpus", " 1 , 0 ", "gpuDeviceIds", List.of("1", "0")),
                Arguments.of("gpus", "device=1", "gpuDeviceIds", List.of("1")),
                Arguments.of("gpus", List.of("3"), "gpuDeviceIds", List.of("3")),
                Arguments.of("gpus", "GPU-5e3a1f2c-aaaa-bbbb", "gpuDeviceIds", List.of("GPU-5e3a1f2c-aaaa-bbbb")),
                Arguments.of("env", Map.of("A", "1"), "environment", Map.of("A", "1")),
                Arguments.of("env", Map.of("N", 5, "B", true), "environment", Map.of("N", "5", "B", "true")),
                Arguments.of("env", "A=1\n# comment\n\nB = x=y \r\nC=", "environment",
                        Map.of("A", "1", "B", " x=y ", "C", "")),
                Arguments.of("days_to_live", 7, "daysToLive", 7),
                Arguments.of("days_to_live", "30", "daysToLive", 30),
                Arguments.of("shm_size", "256M", "shmSizeBytes", 256 * MIB),
                Arguments.of("shm_size", "1G", "shmSizeBytes", GIB),
                Arguments.of("volume", true, "mountVolume", true),
                Arguments.of("volume", "on", "mountVolume", true),
                Arguments.of("volume", "No", "mountVolume", false),
                Arguments.of("volume", "0", "mountVolume", false));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("goodValues")
    void goodValueIsParsed(String field, Object value, String component, Object expected) throws Exception {
        WorkspaceOptionsParser subject = parser;
        if ("all-unlimited".equals(value)) {
            value = "all";
            subject = new WorkspaceOptionsParser(withMaxGpus(null), ALL);
        }

        WorkspaceOptions options = subject.parse(Map.of(field, value));

        assertThat(options).extracting(component).isEqualTo(expected);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("image", "ubuntu:latest", "is not offered"),
                Arguments.of("image", List.of("x"), "JSON list"),
                Arguments.of("cpu_limit", "two", "is not a number"),
                Arguments.of("cpu_limit", -1, "expected: a number of cores > 0"),
                Arguments.of("cpu_limit", 0, "expected: a number of cores > 0"),
                Arguments.of("cpu_limit", "NaN", "expected: a number of cores > 0"),
                Arguments.of("cpu_limit", "Infinity", "expected: a number of cores > 0"),
                Arguments.of("cpu_limit", 0.001, "too small"),
                Arguments.of("cpu_limit", 4.5, "over the maximum of 4.0"),
                Arguments.of("cpu_limit", true, "not valid here"),
                Arguments.of("mem_limit", "2Q", "is not a size"),
                Arguments.of("mem_limit", "-5M", "is not a size"),
                Arguments.of("mem_limit", "1K", "too small"),
                Arguments.of("mem_limit", "9G", "over the maximum of 8G"),
                Arguments.of("mem_limit", "99999999999999999999T", "is not a size"),
                Arguments.of("mem_limit", Map.of("a", 1), "JSON object"),
                Arguments.of("gpus", "all", "'all' is not allowed"),
                Arguments.of("gpus", 3, "over the maximum of 2"),
                Arguments.of("gpus", "0,1,2", "over the maximum of 2"),
                Arguments.of("gpus", "0,,1", "is not a GPU device id"),
                Arguments.of("gpus", "0,0", "listed twice"),
                Arguments.of("gpus", "x", "is not a GPU device id"),
                Arguments.of("gpus", "-1", "is not a GPU device id"),
                Arguments.of("gpus", "0; rm -rf /", "is not a GPU device id"),
                Arguments.of("env", "JUPYTERHUB_API_TOKEN=x", "set by the hub"),
                Arguments.of("env", Map.of("jpy_api_token", "x"), "set by the hub"),
                Arguments.of("env", Map.of("MAX_NUM_THREADS", "9"), "set by the hub"),
                Arguments.of("env", Map.of("1BAD", "x"), "is not allowed"),
                Arguments.of("env", Map.of("A B", "x"), "is not allowed"),
                Arguments.of("env", Map.of("A", "x\0y"), "NUL"),
                Arguments.of("env", Map.of("A", List.of()), "expected: text"),
                Arguments.of("env", "no equals sign", "is not NAME=value"),
                Arguments.of("env", "=value", "is not NAME=value"),
                Arguments.of("env", "A=1\nA=2", "given twice"),
                Arguments.of("env", 5, "expected: an object"),
                Arguments.of("env", Map.of("A", "x".repeat(WorkspaceOptionsParser.MAX_ENV_VALUE_LENGTH + 1)),
                        "characters"),
                Arguments.of("days_to_live", "1.5", "not a whole number"),
                Arguments.of("days_to_live", 0, "expected: >= 1"),
                Arguments.of("days_to_live", 31, "over the maximum of 30"),
                Arguments.of("shm_size", "2G", "over the maximum of 1G"),
                Arguments.of("shm_size", "12K", "too small"),
                Arguments.of("volume", "maybe", "not a yes/no value"),
                Arguments.of("volume", 2, "not a yes/no value"),
                Arguments.of("colour", "red", "unknown option"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void badValueNamesTheField(String field, Object value, String problem) {
        assertThatThrownBy(() -> parser.parse(Map.of(field, value)))
                .isInstanceOfSatisfying(InvalidOptionException.class, error -> {
                    assertThat(error.field()).isEqualTo(field);
                    assertThat(error.getMessage()).startsWith(field + ": ").contains(problem);
                });
    }

    @Test
    void tooManyEnvironmentVariablesAreRejected() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i <= WorkspaceOptionsParser.MAX_ENV_ENTRIES; i++) {
            env.put("V" + i, "x");
        }

        assertThatThrownBy(() -> parser.parse(Map.of("env", env)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("more than " + WorkspaceOptionsParser.MAX_ENV_ENTRIES);
    }

    @Test
    void oversizedEnvironmentIsRejected() {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            env.put("V" + i, "x".repeat(WorkspaceOptionsParser.MAX_ENV_VALUE_LENGTH));
        }

        assertThatThrownBy(() -> parser.parse(Map.of("env", env)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("env: ")
                .hasMessageContaining("at most " + WorkspaceOptionsParser.MAX_ENV_TOTAL_LENGTH);
    }

    @Test
    void nullValueTakesTheDefault() throws Exception {
        Map<String, @Nullable Object> userOptions = new HashMap<>();
        userOptions.put("mem_limit", null);
        userOptions.put("gpus", null);

        WorkspaceOptions options = parser.parse(userOptions);

        assertThat(options.memoryLimitBytes()).isEqualTo(8 * GIB);
        assertThat(options.gpuCount()).isZero();
    }

    @Test
    void gpusOnEngineWithoutGpuSupportAreRejected() {
        var noGpus = new WorkspaceOptionsParser(SETTINGS, EngineCapabilities.container(false));

        assertThatThrownBy(() -> noGpus.parse(Map.of("gpus", 1)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("gpus: this hub's engine has no GPU support (expected: no gpus)");
    }

    /** The capabilities of the process engine without a writable cgroup. */
    private static final EngineCapabilities PROCESSES = new EngineCapabilities(false, false, false, false, false);

    static Stream<Arguments> optionsUnsupportedByProcesses() {
        return Stream.of(
                Arguments.of("image", "mlhub-test-tiny:latest"),
                Arguments.of("cpu_limit", 1),
                Arguments.of("mem_limit", "1G"),
                Arguments.of("shm_size", "256M"),
                Arguments.of("volume", true));
    }

    @ParameterizedTest
    @MethodSource("optionsUnsupportedByProcesses")
    void unsupportedOptionRejectedWithItsName(String field, Object value) {
        var processes = new WorkspaceOptionsParser(SETTINGS, PROCESSES);

        assertThatThrownBy(() -> processes.parse(Map.of(field, value)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage(field + ": not supported by this hub's workspace engine (supported: env, days_to_live)");
    }

    @Test
    void unsupportedOptionsOffOrEmptyAccepted() throws Exception {
        var processes = new WorkspaceOptionsParser(SETTINGS, PROCESSES);

        WorkspaceOptions options = processes.parse(Map.of("image", "mlhub-test-jupyter:latest", "volume", false,
                "gpus", "0", "cpu_limit", "", "shm_size", " "));
        WorkspaceOptions stored = processes.parse(WorkspaceOptionsParser.toUserOptions(options));

        assertThat(options.cpuLimit()).as("no limit the engine cannot enforce").isNull();
        assertThat(options.memoryLimitBytes()).isNull();
        assertThat(options.shmSizeBytes()).isNull();
        assertThat(options.mountVolume()).isFalse();
        assertThat(stored).as("stored options read back").isEqualTo(options);
    }

    @Test
    void supportedOptionsFollowCapabilities() {
        assertThat(PROCESSES.supportedOptions()).containsExactly("env", "days_to_live");
        assertThat(new EngineCapabilities(false, false, true, false, false).supportedOptions())
                .containsExactly("cpu_limit", "mem_limit", "env", "days_to_live");
        assertThat(ALL.supportedOptions()).containsExactlyElementsOf(WorkspaceOptionsParser.FIELDS);
    }

    @Test
    void gpusForbiddenByConfigurationAreRejected() {
        var forbidden = new WorkspaceOptionsParser(withMaxGpus(0), ALL);

        assertThatThrownBy(() -> forbidden.parse(Map.of("gpus", "0,1")))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("not enabled");
    }

    @Test
    void volumeIsRejectedWhenNotAllowed() {
        SpawnerSettings noVolumes = new SpawnerSettings(SETTINGS.workspaceImages(), null, null, 0, null, null,
                SpawnerSettings.SHELL_VARIABLE_NAME, false);
        var parserWithoutVolumes = new WorkspaceOptionsParser(noVolumes, ALL);
        var engineWithoutVolumes = new WorkspaceOptionsParser(SETTINGS,
                new EngineCapabilities(true, false, true, true, true));

        assertThatThrownBy(() -> parserWithoutVolumes.parse(Map.of("volume", true)))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("volume: ");
        assertThatThrownBy(() -> engineWithoutVolumes.parse(Map.of("volume", "on")))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("volume: ");
    }

    @Test
    void formFieldsAreParsedLikeApiOptions() throws Exception {
        Map<String, List<String>> form = Map.of(
                "_xsrf", List.of("token"),
                "image", List.of("mlhub-test-tiny:latest"),
                "cpu_limit", List.of("0.5"),
                "mem_limit", List.of("1G"),
                "env", List.of("A=1\r\nB=2"),
                "volume", List.of("on"),
                "gpus", List.of(""));

        WorkspaceOptions options = parser.parseForm(form);

        assertThat(options.image()).isEqualTo("mlhub-test-tiny:latest");
        assertThat(options.cpuLimit()).isEqualTo(0.5);
        assertThat(options.memoryLimitBytes()).isEqualTo(GIB);
        assertThat(options.environment()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "B", "2"));
        assertThat(options.mountVolume()).isTrue();
        assertThat(options.gpuCount()).isZero();
    }

    @Test
    void formFieldGivenTwiceIsRejected() {
        assertThatThrownBy(() -> parser.parseForm(Map.of("mem_limit", List.of("1G", "2G"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("mem_limit: given 2 times (expected: once)");
    }

    @Test
    void storedOptionsParseBackToTheSameOptions() throws Exception {
        WorkspaceOptions original = parser.parse(Map.of(
                "image", "mlhub-test-tiny:latest", "cpu_limit", 1.25, "mem_limit", "300M", "gpus", "0,1",
                "env", Map.of("A", "b"), "days_to_live", 3, "shm_size", "64M", "volume", true));

        WorkspaceOptions reparsed = parser.parse(WorkspaceOptionsParser.toUserOptions(original));

        assertThat(reparsed).isEqualTo(original);
    }

    @Test
    void storedGpuCountParsesBack() throws Exception {
        WorkspaceOptions original = parser.parse(Map.of("gpus", 2));

        WorkspaceOptions reparsed = parser.parse(WorkspaceOptionsParser.toUserOptions(original));

        assertThat(reparsed.gpuCount()).isEqualTo(2);
    }

    private static SpawnerSettings withMaxGpus(@Nullable Integer maxGpus) {
        return new SpawnerSettings(SETTINGS.workspaceImages(), SETTINGS.maxCpus(), SETTINGS.maxMemoryBytes(),
                maxGpus, SETTINGS.maxDaysToLive(), SETTINGS.maxShmBytes(), SETTINGS.allowedEnvNames(), true);
    }
}
