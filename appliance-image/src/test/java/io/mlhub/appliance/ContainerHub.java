package io.mlhub.appliance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub's image {@link LocalImage#NAME} run the way the README does: one published port on 127.0.0.1, the
 * Docker socket and a named data volume mounted, its YAML file from a read-only folder. A restart removes the
 * container and runs a new one with the same name and volume, so system properties can change between starts.
 */
final class ContainerHub implements HubRunner {
    static final String TEST_LABEL = "io.mlhub.test=end-to-end";
    private static final int DOCKER_TIMEOUT_SECONDS = 90;

    private final String containerName;
    private final String volumeName;
    private final Path configDir;
    private final int port;
    private final List<String> env;
    private final StringBuilder earlierLogs = new StringBuilder();
    private boolean created;
    private int starts;

    /**
     * @param configDir a folder with {@code hub.yaml}, mounted at {@code /etc/mlhub}
     * @param env {@code NAME=value} pairs for the hub
     */
    ContainerHub(String containerName, Path configDir, int port, List<String> env) {
        this.containerName = containerName;
        this.volumeName = containerName + "-data";
        this.configDir = configDir;
        this.port = port;
        this.env = List.copyOf(env);
    }

    @Override
    public void start(List<String> jvmOptions) throws Exception {
        if (created) {
            keepLog();
            docker("rm", "-f", containerName);
        } else {
            docker("volume", "create", "--label", TEST_LABEL, volumeName);
        }
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", containerName, "--label", TEST_LABEL,
                "-p", "127.0.0.1:" + port + ":8080",
                "-v", "/var/run/docker.sock:/var/run/docker.sock",
                "-v", volumeName + ":/data",
                "-v", configDir + ":/etc/mlhub:ro",
                "-e", "HUB_CONFIG=/etc/mlhub/hub.yaml"));
        for (String pair : env) {
            run.addAll(List.of("-e", pair));
        }
        if (!jvmOptions.isEmpty()) {
            run.addAll(List.of("-e", "JAVA_TOOL_OPTIONS=" + String.join(" ", jvmOptions)));
        }
        run.add(LocalImage.NAME);
        created = true;
        starts++;
        docker(run.toArray(String[]::new));
    }

    /** Sends SIGKILL to the hub's container, as {@code docker kill} does by default. */
    @Override
    public void kill() throws Exception {
        docker("kill", "-s", "KILL", containerName);
        docker("wait", containerName);
    }

    /** Stops the container as {@code docker stop} does (SIGTERM, SIGKILL after 30 s) and returns its exit code. */
    @Override
    public int terminate() throws Exception {
        docker("stop", "-t", "30", containerName);
        return Integer.parseInt(docker("inspect", "-f", "{{.State.ExitCode}}", containerName));
    }

    @Override
    public boolean isAlive() throws Exception {
        OpenSsh.Result state = OpenSsh.run(List.of("docker", "inspect", "-f", "{{.State.Running}}", containerName),
                DOCKER_TIMEOUT_SECONDS);
        return state.exitCode() == 0 && state.output().strip().equals("true");
    }

    @Override
    public String log() {
        try {
            return earlierLogs + currentLog();
        } catch (Exception e) {
            return earlierLogs + "(no log: " + e + ")";
        }
    }

    @Override
    public int port() {
        return port;
    }

    String containerName() {
        return containerName;
    }

    /** Removes the container and its data volume. */
    @Override
    public void stopAll() throws Exception {
        if (created) {
            keepLog();
        }
        OpenSsh.run(List.of("docker", "rm", "-f", containerName), DOCKER_TIMEOUT_SECONDS);
        OpenSsh.run(List.of("docker", "volume", "rm", "-f", volumeName), DOCKER_TIMEOUT_SECONDS);
        created = false;
    }

    private void keepLog() throws Exception {
        earlierLogs.append(currentLog());
    }

    private String currentLog() throws Exception {
        OpenSsh.Result logs = OpenSsh.run(List.of("docker", "logs", containerName), DOCKER_TIMEOUT_SECONDS);
        return "---- start " + starts + " (container " + containerName + ") ----\n" + logs.output();
    }

    private static String docker(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        OpenSsh.Result result = OpenSsh.run(command, DOCKER_TIMEOUT_SECONDS);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(command + " failed: " + result.output());
        }
        return result.output().strip();
    }
}
