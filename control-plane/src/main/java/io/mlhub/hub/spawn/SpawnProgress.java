package io.mlhub.hub.spawn;

/** Receives the steps of a start, which the hub relays as JupyterHub progress events. */
@FunctionalInterface
public interface SpawnProgress {

    /** Reports a step; {@code percent} runs from 0 to 100 and {@code message} is shown to the user. */
    void report(int percent, String message);
}
