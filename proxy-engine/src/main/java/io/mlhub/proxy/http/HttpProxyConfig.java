package io.mlhub.proxy.http;

/** Settings of the HTTP proxy: base URL, timeouts, trust of forwarded headers, tool ports, login URL. */
public record HttpProxyConfig() {}
