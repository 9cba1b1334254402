package io.mlhub.proxy.sniff;

/** Result of protocol detection on the first bytes of a connection. */
enum Detection {
    /** The bytes so far fit more than one protocol, or none yet: wait for more. */
    NEED_MORE_BYTES,
    /** The bytes fit no protocol served on the port. */
    UNKNOWN,
    /** A TLS handshake record. */
    TLS,
    /** An SSH identification string. */
    SSH,
    /** An HTTP/1.x request line with a known method. */
    HTTP,
    /** A PROXY protocol v1 or v2 header. */
    PROXY_HEADER
}
