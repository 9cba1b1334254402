package io.mlhub.appliance;

import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.YamlReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the appliance itself, beside the control plane's {@code HubConfig}: which parts run, and the
 * {@code proxy:} and {@code ssh:} sections of the YAML file.
 *
 * @param startProxy {@code START_NGINX}: run the public port (proxy engine)
 * @param startSsh {@code START_SSH}: run the SSH jump host behind the public port
 * @param startHub {@code START_JHUB}: run the control plane with its API and pages
 * @param startChp {@code START_CHP}: serve configurable-http-proxy's route API, so a control plane in another
 *     process can push routes to this proxy
 * @param bindHost {@code proxy.bindAddress}: the address the public port binds
 * @param port {@code proxy.port}: the public port
 * @param sslCertFile {@code proxy.sslCertFile}: PEM certificate chain; with no file a self-signed one is made
 * @param sslKeyFile {@code proxy.sslKeyFile}: PEM private key matching {@code sslCertFile}
 * @param tlsHostNames {@code proxy.tlsHostNames}: DNS names and IP addresses of the self-signed certificate
 * @param proxyProtocol {@code proxy.proxyProtocol}: accept a PROXY protocol header from a load balancer
 * @param trustForwardedHeaders {@code proxy.trustForwardedHeaders}: keep the client's X-Forwarded-* headers
 * @param toolPorts {@code proxy.toolPorts}: workspace ports reachable under {@code <workspace>/tools/<port>/}
 * @param apiHost {@code proxy.apiAddress}: the address of the route API when {@code START_CHP} is on
 * @param apiPort {@code proxy.apiPort}: the port of the route API
 * @param apiToken {@code CONFIGPROXY_AUTH_TOKEN}: the route API's token, or {@code null} to make one up
 * @param proxyApiUrl {@code proxy.apiUrl}: where a control plane without an in-process proxy pushes routes
 * @param sshPublicHost {@code ssh.publicHost}: the host name users put in their SSH config
 * @param sshPublicPort {@code ssh.publicPort}: the port users put in their SSH config; 0 means the public port
 * @param sshWorkspaceUser {@code ssh.workspaceUser}: the login name inside workspaces for SSH config blocks, or
 *     {@code null} for the default of the execution mode (the hub's own OS user for processes, else root)
 */
record ApplianceSettings(
        boolean startProxy,
        boolean startSsh,
        boolean startHub,
        boolean startChp,
        String bindHost,
        int port,
        @Nullable Path sslCertFile,
        @Nullable Path sslKeyFile,
        List<String> tlsHostNames,
        boolean proxyProtocol,
        boolean trustForwardedHeaders,
        Set<Integer> toolPorts,
        String apiHost,
        int apiPort,
        @Nullable String apiToken,
        @Nullable URI proxyApiUrl,
        String sshPublicHost,
        int sshPublicPort,
        @Nullable String sshWorkspaceUser) {

    static final int DEFAULT_PORT = 8080;
    static final int DEFAULT_API_PORT = 8001;

    ApplianceSettings {
        tlsHostNames = List.copyOf(tlsHostNames);
        toolPorts = Set.copyOf(toolPorts);
        checkPort("proxy.port", port, true);
        checkPort("proxy.apiPort", apiPort, true);
        checkPort("ssh.publicPort", sshPublicPort, true);
        if ((sslCertFile == null) != (sslKeyFile == null)) {
            throw ConfigException.invalid("proxy.sslCertFile", sslCertFile == null ? "(missing)" : sslCertFile,
                    "set together with proxy.sslKeyFile, or neither for a self-signed certificate");
        }
        if (!startProxy && !startHub && !startChp) {
            throw ConfigException.invalid("START_NGINX, START_JHUB and START_CHP", "all false",
                    "at least one of them true");
        }
        if (startSsh && !startProxy) {
            throw ConfigException.invalid("START_SSH", "true with START_NGINX=false",
                    "START_SSH=false, because SSH arrives through the public port");
        }
        if (startHub && !startProxy && proxyApiUrl == null) {
            throw ConfigException.invalid("proxy.apiUrl", "(missing)",
                    "the route API URL of the proxy, because START_NGINX=false runs the hub without one");
        }
    }

    /** Reads the switches from {@code env} and the {@code proxy:} and {@code ssh:} sections of the YAML file. */
    static ApplianceSettings load(Map<String, Object> proxySection, Map<String, Object> sshSection,
            Map<String, String> env) {
        YamlReader proxy = new YamlReader("proxy", proxySection);
        proxy.rejectUnknownKeys(Set.of("bindAddress", "port", "sslCertFile", "sslKeyFile", "tlsHostNames",
                "proxyProtocol", "trustForwardedHeaders", "toolPorts", "apiAddress", "apiPort", "apiUrl"));
        YamlReader ssh = new YamlReader("ssh", sshSection);
        ssh.rejectUnknownKeys(Set.of("publicHost", "publicPort", "workspaceUser"));

        String certFile = proxy.optionalText("sslCertFile");
        String keyFile = proxy.optionalText("sslKeyFile");
        String apiUrl = proxy.optionalText("apiUrl");
        String token = env.get("CONFIGPROXY_AUTH_TOKEN");
        return new ApplianceSettings(
                envSwitch(env, "START_NGINX", true),
                envSwitch(env, "START_SSH", true),
                envSwitch(env, "START_JHUB", true),
                envSwitch(env, "START_CHP", false),
                proxy.text("bindAddress", "0.0.0.0"),
                proxy.integer("port", DEFAULT_PORT),
                certFile == null ? null : Path.of(certFile),
                keyFile == null ? null : Path.of(keyFile),
                proxy.textList("tlsHostNames", List.of("localhost", "127.0.0.1", "::1")),
                proxy.bool("proxyProtocol", false),
                proxy.bool("trustForwardedHeaders", false),
                ports(proxy, "toolPorts"),
                proxy.text("apiAddress", "127.0.0.1"),
                proxy.integer("apiPort", DEFAULT_API_PORT),
                token == null || token.isBlank() ? null : token,
                apiUrl == null ? null : parseUri("proxy.apiUrl", apiUrl),
                ssh.text("publicHost", "localhost"),
                ssh.integer("publicPort", 0),
                ssh.optionalText("workspaceUser"));
    }

    /** Returns a copy that listens on {@code newPort}, such as one given on the command line. */
    ApplianceSettings withPort(int newPort) {
        return new ApplianceSettings(startProxy, startSsh, startHub, startChp, bindHost, newPort, sslCertFile,
                sslKeyFile, tlsHostNames, proxyProtocol, trustForwardedHeaders, toolPorts, apiHost, apiPort, apiToken,
                proxyApiUrl, sshPublicHost, sshPublicPort, sshWorkspaceUser);
    }

    private static boolean envSwitch(Map<String, String> env, String name, boolean defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : YamlReader.parseBoolean(name, value);
    }

    private static Set<Integer> ports(YamlReader reader, String key) {
        Set<Integer> result = new LinkedHashSet<>();
        for (String text : reader.textList(key, List.of())) {
            int port;
            try {
                port = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw ConfigException.invalid(reader.path(key), text, "a list of port numbers 1-65535");
            }
            checkPort(reader.path(key), port, false);
            result.add(port);
        }
        return result;
    }

    private static void checkPort(String setting, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw ConfigException.invalid(setting, port, zeroAllowed ? "0-65535 (0 picks a free port)" : "1-65535");
        }
    }

    private static URI parseUri(String setting, String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw ConfigException.invalid(setting, text, "an absolute http or https URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw ConfigException.invalid(setting, text, "an absolute http or https URL");
        }
    }

    /** Returns the names of the parts that run, for the start-up line. */
    List<String> parts() {
        List<String> parts = new ArrayList<>();
        if (startProxy) {
            parts.add("proxy");
        }
        if (startSsh) {
            parts.add("ssh");
        }
        if (startHub) {
            parts.add("hub");
        }
        if (startChp) {
            parts.add("route-api");
        }
        return parts;
    }
}
