package io.mlhub.sshmux;

import java.util.List;

/** Writes the text a user sees after {@code ssh <user>@<hub>} without a jump: how to reach each running workspace. */
final class HelpText {

    private final SshAccess access;

    HelpText(SshAccess access) {
        this.access = access;
    }

    String forUser(String hubUser, List<SshWorkspace> running) {
        StringBuilder text = new StringBuilder();
        text.append("Hello ").append(hubUser).append(". This hub is an SSH jump host to your workspaces;")
                .append(" it opens no shell itself.\n\n");
        if (running.isEmpty()) {
            appendNoWorkspace(text, hubUser);
        } else {
            running.forEach(workspace -> appendWorkspace(text, hubUser, workspace));
        }
        appendHostKeys(text);
        return text.toString();
    }

    private void appendNoWorkspace(StringBuilder text, String hubUser) {
        text.append("You have no running workspace. Start one on the hub's web page, then connect with\n")
                .append("  ssh -J ").append(access.jumpSpec(hubUser)).append(" <login>@<workspace>\n")
                .append("where <workspace> is ").append(hubUser).append(" for your default workspace and <server>.")
                .append(hubUser).append(" for a named one.\n\n");
    }

    private void appendWorkspace(StringBuilder text, String hubUser, SshWorkspace workspace) {
        WorkspaceAccess info = access.forWorkspace(hubUser, workspace, null);
        text.append("Workspace ").append(info.target()).append(":\n")
                .append("  ").append(info.jumpCommand()).append("\n")
                .append("or add to ~/.ssh/config, and the known_hosts lines below, then run: ssh ")
                .append(info.target()).append("\n\n")
                .append(info.configBlock()).append("\n");
    }

    private void appendHostKeys(StringBuilder text) {
        text.append("Host keys of this hub:\n");
        access.hubKeys().forEach(key -> text.append("  ").append(key.fingerprint()).append(" (").append(key.type())
                .append(")\n"));
        text.append("known_hosts lines for the config above:\n");
        access.hubKeys().forEach(key -> text.append("  ").append(key.knownHostsLine(access.jumpHostAlias()))
                .append("\n"));
    }
}
