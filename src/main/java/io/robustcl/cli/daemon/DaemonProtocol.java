package io.robustcl.cli.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The wire format between {@link DaemonClient} and {@link DaemonServer} (JDK classes only: the
 * client loads nothing else).
 *
 * <p>The client sends one {@link DaemonRequest}; the daemon answers with frames, each a type byte,
 * a big-endian int length and that many bytes: {@link #STDOUT} and {@link #STDERR} carry the
 * command's output bytes as the CLI wrote them, {@link #EXIT} its exit code (4 bytes) and ends
 * the answer; {@link #REFUSED} (a one-line reason) means the daemon did not run the command, and
 * the client makes the launcher run it in a JVM of its own. Closing the connection before
 * {@link #EXIT} cancels the command (Ctrl-C in the client).
 */
final class DaemonProtocol {

  /** "RCLD": the first int of every request. */
  static final int MAGIC = 0x52434C44;
  /** Bumped with every change of the format; a daemon refuses another. */
  static final int VERSION = 1;

  static final byte STDOUT = 'O';
  static final byte STDERR = 'E';
  static final byte EXIT = 'X';
  static final byte REFUSED = 'R';

  /**
   * The client's exit code when the daemon did not run the command (none listening, stale, refused,
   * gone before any output): the launcher then runs it in a JVM of its own. 111 is ECONNREFUSED
   * on Linux; the CLI itself exits 0, 1, 2, 75 or 130.
   */
  static final int FALLBACK = 111;

  /** The largest string (an argument, an environment value, a frame) either side accepts. */
  static final int MAX_BYTES = 1 << 20;
  /** The most arguments or environment entries a request may hold. */
  static final int MAX_ITEMS = 100_000;

  private DaemonProtocol() {}

  /**
   * An input stream that reads the channel directly. {@code Channels.newInputStream} would lock
   * the channel's blocking lock while it waits, which blocks every write from another thread: the
   * daemon reads (to notice a client that went away) while it writes the command's output.
   */
  static InputStream in(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  /** An output stream that writes the channel directly (see {@link #in}). */
  static OutputStream out(SocketChannel channel) {
    return new ChunkOutputStream() {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    };
  }

  /** Reads exactly {@code n} bytes. */
  static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new EOFException("connection closed after " + bytes.length + " of " + n + " bytes");
    }
    return bytes;
  }
}
