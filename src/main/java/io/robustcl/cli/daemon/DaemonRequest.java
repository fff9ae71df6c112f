package io.robustcl.cli.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request of {@link DaemonClient} to {@link DaemonServer} (JDK classes only).
 *
 * @param kind {@link #COMMAND}, {@link #STATUS} or {@link #STOP}
 * @param id the launcher's id of the build (class path, jar and JVM) the client expects; a daemon
 *     of another build refuses and exits
 * @param workDir the client's working directory, absolute
 * @param console whether the client's stdin and stdout are a terminal ({@code System.console()})
 * @param probe the launcher's probe exit code for {@code run} (see {@code RunCommand}), or -1
 * @param args the CLI's arguments
 * @param env the client's whole environment
 */
record DaemonRequest(byte kind, String id, String workDir, boolean console, int probe, List<String> args,
    Map<String, String> env) {

  static final byte COMMAND = 'C';
  static final byte STATUS = 'S';
  static final byte STOP = 'Q';

  DaemonRequest {
    args = List.copyOf(args);
    env = Map.copyOf(env);
  }

  void write(OutputStream to) throws IOException {
    DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(to, 1 << 16));
    out.writeInt(DaemonProtocol.MAGIC);
    out.writeInt(DaemonProtocol.VERSION);
    out.writeByte(kind);
    string(out, id);
    string(out, workDir);
    out.writeBoolean(console);
    out.writeInt(probe);
    out.writeInt(args.size());
    for (String arg : args) {
      string(out, arg);
    }
    out.writeInt(env.size());
    for (Map.Entry<String, String> e : env.entrySet()) {
      string(out, e.getKey());
      string(out, e.getValue());
    }
    out.flush();
  }

  /**
   * Reads one request.
   *
   * @throws BadRequest when the bytes are not a request of this version (one line, for the log)
   * @throws IOException when the connection fails or ends early
   */
  static DaemonRequest read(InputStream from) throws IOException {
    DataInputStream in = new DataInputStream(from);
    int magic = in.readInt();
    if (magic != DaemonProtocol.MAGIC) {
      throw new BadRequest("not a robustcl daemon request (first bytes 0x" + Integer.toHexString(magic) + ")");
    }
    int version = in.readInt();
    if (version != DaemonProtocol.VERSION) {
      throw new BadRequest("protocol version " + version + ", this daemon speaks " + DaemonProtocol.VERSION);
    }
    byte kind = in.readByte();
    if (kind != COMMAND && kind != STATUS && kind != STOP) {
      throw new BadRequest("unknown request kind " + (kind & 0xff));
    }
    String id = string(in);
    String workDir = string(in);
    boolean console = in.readBoolean();
    int probe = in.readInt();
    int argc = count(in, "arguments");
    List<String> args = new ArrayList<>(argc);
    for (int i = 0; i < argc; i++) {
      args.add(string(in));
    }
    int envc = count(in, "environment entries");
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < envc; i++) {
      env.put(string(in), string(in));
    }
    return new DaemonRequest(kind, id, workDir, console, probe, args, env);
  }

  private static int count(DataInputStream in, String what) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > DaemonProtocol.MAX_ITEMS) {
      throw new BadRequest(n + " " + what + ": at most " + DaemonProtocol.MAX_ITEMS);
    }
    return n;
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > DaemonProtocol.MAX_BYTES) {
      throw new BadRequest("a string of " + n + " bytes: at most " + DaemonProtocol.MAX_BYTES);
    }
    return new String(DaemonProtocol.readFully(in, n), StandardCharsets.UTF_8);
  }

  /** Bytes that are not a request: answered with one line, never a stack trace. */
  static final class BadRequest extends IOException {
    BadRequest(String message) {
      super(message);
    }
  }
}
