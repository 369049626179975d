package dev.agentkernel.spawn.k8s.testing;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * The API server's side of {@code pods/portforward} (the v4 channel protocol): each websocket binary frame
 * starts with a channel byte, 0 for data and 1 for errors of the first port; the first frame on each channel
 * carries the port number. Data is piped both ways to a real TCP connection to the pod's IP and port.
 */
final class PortForwardTunnel extends WebSocketListener {
    private final InetSocketAddress target;
    private volatile Socket socket;
    private volatile OutputStream toPod;

    PortForwardTunnel(InetSocketAddress target) { this.target = target; }

    @Override
    public void onOpen(WebSocket ws, Response response) {
        int port = target.getPort();
        byte lo = (byte) (port & 0xff);
        byte hi = (byte) ((port >> 8) & 0xff);
        try {
            socket = new Socket();
            socket.connect(target, 2000);
            toPod = socket.getOutputStream();
        } catch (IOException e) {
            ws.send(new byte[] {0, lo, hi});
            ws.send(new byte[] {1, lo, hi});
            byte[] msg = ("error forwarding port " + port + " to pod: " + e.getMessage()).getBytes();
            byte[] frame = new byte[msg.length + 1];
            frame[0] = 1;
            System.arraycopy(msg, 0, frame, 1, msg.length);
            ws.send(frame);
            ws.close(1000, "connect failed");
            return;
        }
        ws.send(new byte[] {0, lo, hi});
        ws.send(new byte[] {1, lo, hi});
        Thread.ofVirtual().name("portforward-pump").start(() -> pump(ws));
    }

    private void pump(WebSocket ws) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                byte[] frame = new byte[n + 1];
                System.arraycopy(buf, 0, frame, 1, n);
                ws.send(frame);
            }
        } catch (IOException closed) {
            // The pod or the client closed the connection.
        }
        ws.close(1000, "pod closed the connection");
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) { fromClient(bytes.toByteArray()); }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) { fromClient(bytes); }

    private void fromClient(byte[] frame) {
        if (frame.length < 1 || frame[0] != 0 || toPod == null) return;
        try {
            toPod.write(Arrays.copyOfRange(frame, 1, frame.length));
            toPod.flush();
        } catch (IOException e) {
            closeSocket();
        }
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) { closeSocket(); }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) { closeSocket(); }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) { closeSocket(); }

    private void closeSocket() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
