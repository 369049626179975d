package dev.agentkernel.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy on loopback that knows names nobody else can resolve, like a corporate proxy with its own
 * DNS: {@code CONNECT host:port} tunnels and absolute-form requests ({@code GET http://host:port/path}) to the
 * hosts in its map. Anything else gets 502. It records every target it was asked for.
 */
final class CorporateProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, String> names;
    final List<String> targets = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private CorporateProxy(ServerSocket server, Map<String, String> names) {
        this.server = server;
        this.names = Map.copyOf(names);
    }

    /** {@code names}: host name → the address it stands for (e.g. {@code "llm.corp.test" → "127.0.0.1"}). */
    static CorporateProxy start(Map<String, String> names) throws IOException {
        CorporateProxy p = new CorporateProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), names);
        Thread.ofVirtual().name("corporate-proxy").start(p::acceptLoop);
        return p;
    }

    String url() { return "http://127.0.0.1:" + server.getLocalPort(); }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
            boolean tunnel = line[0].equals("CONNECT");
            String authority;
            String originForm = null;
            if (tunnel) {
                authority = line[1];
            } else {
                URI uri = URI.create(line[1]);
                authority = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 80);
                originForm = line[0] + " " + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " " + line[2];
            }
            targets.add(authority);
            String host = authority.substring(0, authority.lastIndexOf(':'));
            int port = Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1));
            String address = names.get(host);
            if (address == null) {
                out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            try (Socket upstream = new Socket()) {
                upstream.connect(new InetSocketAddress(address, port), 5_000);
                open.add(upstream);
                if (tunnel) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else {
                    upstream.getOutputStream().write((originForm + head.substring(head.indexOf("\r\n"))).getBytes(StandardCharsets.ISO_8859_1));
                }
                Thread back = Thread.ofVirtual().start(() -> copy(upstream, client));
                copy(client, upstream);
                back.join();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a client or target that went away
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the head ended");
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 65_536) throw new IOException("head too long");
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
