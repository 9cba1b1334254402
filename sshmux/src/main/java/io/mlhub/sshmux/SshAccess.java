package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Writes the SSH access information of workspaces: the {@code ssh -J} command, the {@code ~/.ssh/config} entries
 * with the hub's host keys pinned, and a one-line setup command.
 *
 * <p>The config has two entries. The hub's entry ({@code Host <jumpHostAlias>}) sets the public host, port and hub
 * user, and pins the hub's host keys through {@code HostKeyAlias} and a {@code UserKnownHostsFile} of its own. The
 * workspace's entry ({@code Host <target>}) jumps through it; its {@code HostName} is the target name itself,
 * which the hub resolves. Its host key goes to the same file: pinned when the control plane provides it, and
 * accepted on first use otherwise.
 */
public final class SshAccess {

    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_./~+-]{1,255}");

    private final SshMuxConfig config;
    private final List<HostKey> hubKeys;

    SshAccess(SshMuxConfig config, List<HostKey> hubKeys) {
        this.config = requireNonNull(config, "config");
        this.hubKeys = List.copyOf(requireNonNull(hubKeys, "hubKeys"));
    }

    /** Returns the hub's {@code Host} alias in generated SSH config. */
    public String jumpHostAlias() {
        return config.jumpHostAlias();
    }

    /** Returns the hub's host keys. */
    public List<HostKey> hubKeys() {
        return hubKeys;
    }

    /** Returns the {@code known_hosts} lines of the hub as {@code ssh -J} without config looks it up. */
    public List<String> hubKnownHostsLines() {
        String pattern = HostKey.hostPattern(config.publicHost(), config.publicPort());
        return hubKeys.stream().map(key -> key.knownHostsLine(pattern)).toList();
    }

    /** Returns the {@code ssh -J} argument for {@code hubUser}: {@code user@host} or {@code user@host:port}. */
    public String jumpSpec(String hubUser) {
        String host = config.publicHost();
        return config.publicPort() == 22 ? hubUser + "@" + host : hubUser + "@" + host + ":" + config.publicPort();
    }

    /**
     * Writes the access information of {@code workspace} for {@code hubUser}.
     *
     * @param identityFile the path of the user's private key on their machine, for example
     *     {@code ~/.ssh/id_ed25519}, or {@code null} to let the SSH client pick its default keys
     */
    public WorkspaceAccess forWorkspace(String hubUser, SshWorkspace workspace, @Nullable String identityFile) {
        checkArguments(hubUser, identityFile);
        String target = workspace.target().name();
        List<String> hubEntry = hubEntry(hubUser, identityFile);
        List<String> workspaceEntry = workspaceEntry(workspace, identityFile);
        List<String> knownHosts = knownHostsLines(List.of(workspace));

        String configBlock = String.join("\n", hubEntry) + "\n\n" + String.join("\n", workspaceEntry) + "\n";
        String setup = setupCommand(hubEntry, workspaceEntry, knownHosts);
        return new WorkspaceAccess(target, jumpCommand(hubUser, workspace), configBlock, knownHosts, setup);
    }

    /** Returns the {@code ssh -J} command that reaches {@code workspace} without any SSH config. */
    public String jumpCommand(String hubUser, SshWorkspace workspace) {
        return "ssh -J " + jumpSpec(hubUser) + " " + workspace.loginUser() + "@" + workspace.target().name();
    }

    /**
     * Writes the {@code ~/.ssh/config} entries for several workspaces at once: the hub's entry, then one entry per
     * workspace, without a private key reference.
     */
    public String configBlock(String hubUser, List<SshWorkspace> workspaces) {
        checkArguments(hubUser, null);
        StringBuilder block = new StringBuilder(String.join("\n", hubEntry(hubUser, null))).append("\n");
        workspaces.forEach(workspace -> block.append("\n").append(String.join("\n", workspaceEntry(workspace, null)))
                .append("\n"));
        return block.toString();
    }

    /**
     * Returns the lines of the {@code UserKnownHostsFile} named in the config: the hub's host keys, then the
     * known host keys of {@code workspaces}.
     */
    public List<String> knownHostsLines(List<SshWorkspace> workspaces) {
        List<String> lines = new ArrayList<>();
        hubKeys.forEach(key -> lines.add(key.knownHostsLine(config.jumpHostAlias())));
        workspaces.forEach(workspace -> workspace.hostKeys()
                .forEach(key -> lines.add(workspaceKeyAlias(workspace) + " " + key)));
        return lines;
    }

    /** Returns the path of the {@code UserKnownHostsFile} named in the config. */
    public String knownHostsFile() {
        return "~/.ssh/known_hosts." + config.jumpHostAlias();
    }

    private static void checkArguments(String hubUser, @Nullable String identityFile) {
        SshTarget.defaultServer(hubUser); // rejects a user name that cannot appear in a target name
        if (identityFile != null && !PATH.matcher(identityFile).matches()) {
            throw new IllegalArgumentException("identityFile: " + identityFile + " (expected: a path of A-Z a-z 0-9 _"
                    + " . / ~ + -)");
        }
    }

    private List<String> hubEntry(String hubUser, @Nullable String identityFile) {
        List<String> lines = new ArrayList<>();
        lines.add("Host " + config.jumpHostAlias());
        lines.add("    HostName " + config.publicHost());
        lines.add("    Port " + config.publicPort());
        lines.add("    User " + hubUser);
        lines.add("    HostKeyAlias " + config.jumpHostAlias());
        lines.add("    UserKnownHostsFile " + knownHostsFile());
        lines.add("    StrictHostKeyChecking yes");
        if (identityFile != null) {
            lines.add("    IdentityFile " + identityFile);
        }
        return lines;
    }

    private List<String> workspaceEntry(SshWorkspace workspace, @Nullable String identityFile) {
        String target = workspace.target().name();
        List<String> lines = new ArrayList<>();
        lines.add("Host " + target);
        lines.add("    HostName " + target);
        lines.add("    Port " + config.workspaceSshPort());
        lines.add("    User " + workspace.loginUser());
        lines.add("    ProxyJump " + config.jumpHostAlias());
        lines.add("    HostKeyAlias " + workspaceKeyAlias(workspace));
        lines.add("    UserKnownHostsFile " + knownHostsFile());
        lines.add("    StrictHostKeyChecking " + (workspace.hostKeys().isEmpty() ? "accept-new" : "yes"));
        if (identityFile != null) {
            lines.add("    IdentityFile " + identityFile);
        }
        return lines;
    }

    /** Returns the alias the workspace's host key is filed under: its target name qualified by the hub's alias. */
    private String workspaceKeyAlias(SshWorkspace workspace) {
        return workspace.target().name() + "." + config.jumpHostAlias();
    }

    private String setupCommand(List<String> hubEntry, List<String> workspaceEntry, List<String> knownHosts) {
        String knownHostsPath = "$HOME/.ssh/known_hosts." + config.jumpHostAlias();
        StringBuilder command = new StringBuilder("mkdir -p ~/.ssh && chmod 700 ~/.ssh && touch ~/.ssh/config ")
                .append(knownHostsPath);
        for (String line : knownHosts) {
            command.append(" && { grep -qxF ").append(quote(line)).append(' ').append(knownHostsPath)
                    .append(" || echo ").append(quote(line)).append(" >> ").append(knownHostsPath).append("; }");
        }
        appendEntry(command, hubEntry);
        appendEntry(command, workspaceEntry);
        return command.toString();
    }

    /** Appends a step that adds {@code entry} to {@code ~/.ssh/config} unless its {@code Host} line is there. */
    private static void appendEntry(StringBuilder command, List<String> entry) {
        command.append(" && { grep -qxF ").append(quote(entry.get(0))).append(" ~/.ssh/config || printf '%s\\n' ''");
        for (String line : entry) {
            command.append(' ').append(quote(line));
        }
        command.append(" >> ~/.ssh/config; }");
    }

    /** Quotes {@code text} for a POSIX shell. */
    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
