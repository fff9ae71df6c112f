package io.robustcl.cli.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The daemon's side of one answer: frames (see {@link DaemonProtocol}) written whole, one at a
 * time, so that stdout and stderr keep the order in which the command wrote them.
 */
final class FrameSink {

  private final OutputStream to;
  private volatile boolean sentOutput;

  FrameSink(OutputStream to) {
    this.to = to;
  }

  /** Whether any stdout or stderr bytes went out: after that, a failure can no longer fall back. */
  boolean sentOutput() {
    return sentOutput;
  }

  void stdout(byte[] bytes) throws IOException {
    frame(DaemonProtocol.STDOUT, bytes, 0, bytes.length);
  }

  void exit(int code) throws IOException {
    frame(DaemonProtocol.EXIT, ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
  }

  /** Tells the client the daemon did not run the command (it falls back); best effort. */
  void refuse(String reason) {
    byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      frame(DaemonProtocol.REFUSED, bytes, 0, Math.min(bytes.length, 1000));
    } catch (IOException e) {
      // the client is gone: it falls back by itself
    }
  }

  /** A stream whose every write becomes one frame of {@code type}. */
  OutputStream stream(byte type) {
    return new ChunkOutputStream() {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int start = off; start < off + len; start += DaemonProtocol.MAX_BYTES) {
          frame(type, b, start, Math.min(DaemonProtocol.MAX_BYTES, off + len - start));
        }
      }
    };
  }

  private synchronized void frame(byte type, byte[] bytes, int off, int len) throws IOException {
    if (type == DaemonProtocol.STDOUT || type == DaemonProtocol.STDERR) {
      sentOutput = true;
    }
    byte[] header = ByteBuffer.allocate(5).put(type).putInt(len).array();
    byte[] frame = new byte[5 + len];
    System.arraycopy(header, 0, frame, 0, 5);
    System.arraycopy(bytes, off, frame, 5, len);
    to.write(frame, 0, frame.length);
  }
}
