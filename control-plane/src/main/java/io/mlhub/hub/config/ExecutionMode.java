package io.mlhub.hub.config;

import java.util.Locale;

/** The engine workspaces run on, set by {@code EXECUTION_MODE}. */
public enum ExecutionMode {
    /** Not set: Docker when its engine responds, otherwise child processes. */
    AUTO,
    /** Docker on this machine. */
    LOCAL,
    /** Kubernetes pods. */
    K8S,
    /** Child processes of the hub. */
    PROCESS;

    static ExecutionMode parse(String setting, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "", "auto" -> AUTO;
            case "local" -> LOCAL;
            case "k8s" -> K8S;
            case "process" -> PROCESS;
            default -> throw ConfigException.invalid(setting, value, "local, k8s, process or auto");
        };
    }
}
